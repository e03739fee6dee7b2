import { join } from 'node:path';
import { composeAnswer } from './answer-composer';
import { KnowledgeBase } from './knowledge-base';

const knowledge = KnowledgeBase.load(join(__dirname, 'knowledge'));
const best = (query: string) => composeAnswer(knowledge, query).hits[0]?.section;

describe('KnowledgeBase', () => {
  it.each([
    ['什么是 RAG？', 'rag-zh.md', '什么是 RAG'],
    ['What is RAG?', 'rag-en.md', 'What is RAG'],
    ['年假有几天？', 'acme-handbook-zh.md', '年假'],
    ['how do I reset my VPN password', 'acme-handbook-en.md', 'Resetting a VPN password'],
    ['报销流程是什么', 'acme-handbook-zh.md', '报销流程'],
    ['它有什么优点？', 'rag-zh.md', 'RAG 的优点'],
    ['What are its advantages?', 'rag-en.md', 'Advantages of RAG'],
  ])('retrieves the right section for %s', (query, document, heading) => {
    expect(best(query)).toMatchObject({ document, heading });
  });

  it('scores in 0..1 by what the question shares with the section, best first', () => {
    const hits = knowledge.search('VPN 的密码');
    expect(hits.map((hit) => hit.section.document)).toEqual(['acme-handbook-zh.md', 'acme-handbook-en.md']);
    expect(hits[0].score).toBeCloseTo(1);
    expect(hits[1].score).toBeGreaterThan(0);
    expect(hits[1].score).toBeLessThan(0.3);
    // Words no section holds count against a section that holds only some of the question.
    expect(knowledge.search('年假有几天？')[0].score).toBeCloseTo(2 / 3);
  });

  it('finds nothing for a question sharing no term with the knowledge base', () => {
    expect(knowledge.search('今天天气怎么样')).toEqual([]);
    expect(knowledge.search('what is it?')).toEqual([]);
  });
});

describe('composeAnswer', () => {
  it('quotes the section as written and says so when nothing matches, in the language asked', () => {
    const { answer } = composeAnswer(knowledge, '年假有几天？');
    expect(answer).toMatch(/^根据《年假》：/);
    expect(answer).toContain('正式员工每年享有 **15 天**带薪年假');
    expect(composeAnswer(knowledge, '今天天气怎么样')).toEqual({ answer: '抱歉，知识库中没有找到与这个问题相关的内容。', hits: [] });
    expect(composeAnswer(knowledge, 'who won the football game').answer).toMatch(/^Sorry/);
  });
});
