import { join } from 'node:path';
import { composeAnswer } from './answer-composer';
import { KnowledgeBase } from './knowledge-base';

/** Questions a newcomer might ask, written for this knowledge base (not its headings), with the document that answers each. */
const QUESTIONS: Array<[question: string, document: string]> = [
  ['Can a customer get their money back after buying something?', 'acme-handbook-en.md'],
  ['When will my order arrive with express shipping?', 'acme-handbook-en.md'],
  ['I forgot my VPN password, what should I do?', 'acme-handbook-en.md'],
  ['Can gift cards be refunded?', 'acme-handbook-en.md'],
  ['What is the extension of the service desk?', 'acme-handbook-en.md'],
  ['顾客买了东西多少天内可以退款？', 'acme-handbook-en.md'],
  ['入职五年后年假能休多少天？', 'acme-handbook-zh.md'],
  ['没休完的年假可以留到明年吗', 'acme-handbook-zh.md'],
  ['出差的费用怎么报销？', 'acme-handbook-zh.md'],
  ['报销金额很大的话需要谁审批？', 'acme-handbook-zh.md'],
  ['VPN 密码忘了怎么办', 'acme-handbook-zh.md'],
  ['VPN 密码多久要换一次', 'acme-handbook-zh.md'],
  ['What does retrieval-augmented generation mean?', 'rag-en.md'],
  ['Why use RAG rather than retraining the model?', 'rag-en.md'],
  ['How are the passages for a question found?', 'rag-en.md'],
  ['What are embeddings used for?', 'rag-en.md'],
  ['检索增强生成是什么意思？', 'rag-zh.md'],
  ['RAG 能减少模型编造内容吗', 'rag-zh.md'],
  ['RAG 是怎么找到相关片段的', 'rag-zh.md'],
  ['用了 RAG 还需要重新训练模型吗', 'rag-zh.md'],
  ['Dify 是一个什么样的平台？', 'dify.md'],
  ['Is Dify open source?', 'dify.md'],
  ['How do I continue a conversation with the Chat API?', 'dify.md'],
  ['Dify 的 API 密钥长什么样', 'dify.md'],
  ['流式模式下答案是怎么返回的', 'dify.md'],
  ['realtime-rag 这个服务是干什么用的？', 'realtime-rag.md'],
  ['Which WebSocket URL should a client connect to?', 'realtime-rag.md'],
  ['客户端断线重连后还能继续之前的对话吗', 'realtime-rag.md'],
  ['Is realtime-rag meant for call centres?', 'realtime-rag.md'],
  ['asr_chunk 消息里要带哪些字段', 'realtime-rag.md'],
];

const knowledge = KnowledgeBase.load(join(__dirname, 'knowledge'));
const sources = (question: string) => composeAnswer(knowledge, question).hits.map((hit) => hit.section.document);

describe('retrieval over the embedded knowledge base', () => {
  it('cites the expected document first for each of the 30 questions', () => {
    const misses = QUESTIONS.filter(([question, document]) => sources(question)[0] !== document);
    expect(misses).toEqual([]);
  });
});
