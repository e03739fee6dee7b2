import { LocalDifyServer } from './local-dify-server';

const KEY = 'app-test';

/** Asks in blocking mode, in the conversation given (or a new one), as user u1. */
async function ask(baseUrl: string, query: string, conversationId = '') {
  const response = await fetch(`${baseUrl}/chat-messages`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${KEY}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ inputs: {}, user: 'u1', query, response_mode: 'blocking', conversation_id: conversationId }),
  });
  return (await response.json()) as { answer: string; conversation_id: string; metadata: { retriever_resources: Source[] } };
}

type Source = Record<string, unknown>;

/** A source as the knowledge base gives it, without what belongs to the one message (its ids, the retrieval count). */
const cited = (sources: Source[]) => sources.map(({ id: _id, message_id: _message, hit_count: _count, created_at: _at, ...rest }) => rest);

describe('the same question in one conversation', () => {
  let server: LocalDifyServer;
  let baseUrl: string;
  beforeAll(async () => {
    server = new LocalDifyServer({ apiKeys: [KEY], chunkDelayMs: 0, firstChunkDelayMs: 0, record: false });
    ({ baseUrl } = await server.listen());
  });
  afterAll(() => server.close());

  it.each(['年假有几天？', 'How do I reset my VPN password?', '今天天气怎么样', 'What are its advantages?'])(
    'gets the same answer and sources, first or later: %s',
    async (question) => {
      const first = await ask(baseUrl, question);
      await ask(baseUrl, '什么是 RAG？', first.conversation_id);
      const again = await ask(baseUrl, question, first.conversation_id);
      expect(again.conversation_id).toBe(first.conversation_id);
      expect({ answer: again.answer, sources: cited(again.metadata.retriever_resources) }).toEqual({
        answer: first.answer,
        sources: cited(first.metadata.retriever_resources),
      });
    },
  );
});
