import { join } from 'node:path';
import { composeAnswer } from './answer-composer';
import { KnowledgeBase, tokenize } from './knowledge-base';

const knowledge = KnowledgeBase.load(join(__dirname, 'knowledge'));
const best = (query: string, earlier: string[] = []) => composeAnswer(knowledge, query, earlier).hits[0]?.section;

describe('KnowledgeBase', () => {
  it('tokenizes English words and Chinese bigrams, without question words', () => {
    expect(tokenize('What is RAG? 什么是 检索')).toEqual(['rag', '检索']);
  });

  it.each([
    ['什么是 RAG？', 'rag-zh.md', '什么是 RAG'],
    ['What is RAG?', 'rag-en.md', 'What is RAG'],
    ['年假有几天？', 'acme-handbook-zh.md', '年假'],
    ['how do I reset my VPN password', 'acme-handbook-en.md', 'Resetting a VPN password'],
    ['报销流程是什么', 'acme-handbook-zh.md', '报销流程'],
  ])('retrieves the right section for %s', (query, document, heading) => {
    expect(best(query)).toMatchObject({ document, heading });
  });

  it('answers a follow-up in the context of the earlier questions', () => {
    expect(best('它有什么优点？', ['什么是 RAG？'])).toMatchObject({ heading: 'RAG 的优点' });
    expect(best('What are its advantages?', ['What is RAG?'])).toMatchObject({ heading: 'Advantages of RAG' });
  });

  it('quotes the section as written and says so when nothing matches, in the language asked', () => {
    const { answer } = composeAnswer(knowledge, '年假有几天？', []);
    expect(answer).toContain('正式员工每年享有 **15 天**带薪年假');
    expect(composeAnswer(knowledge, '今天天气怎么样', []).answer).toMatch(/^抱歉/);
    expect(composeAnswer(knowledge, 'who won the football game', []).answer).toMatch(/^Sorry/);
  });
});
