import { startApp } from './support/stack';

describe('the embedded default (e2e)', () => {
  it('with no DIFY_API_KEY, answers from the embedded local Dify and says so loudly at start-up', async () => {
    const app = await startApp({ DIFY_API_KEY: undefined, DIFY_BASE_URL: undefined, NODE_ENV: 'development' });
    try {
      const logs = app.logs.lines.join('\n');
      expect(logs).toMatch(/DIFY_API_KEY is not set: answering from the EMBEDDED LOCAL/);
      // The banner's dify-chat command names a base URL and key that work.
      const [, baseUrl, apiKey] = /npm run dify-chat -- --base-url (\S+) --api-key (\S+)/.exec(logs)!;
      expect((await fetch(`${baseUrl}/info`, { headers: { Authorization: `Bearer ${apiKey}` } })).status).toBe(200);
      const ready = await fetch(`${app.httpUrl}/health/ready`);
      expect(await ready.json()).toMatchObject({ info: { dify: { status: 'up', embedded: true } } });

      const client = await app.connect();
      client.send({ type: 'asr_chunk', text: '什么是 RAG？', is_final: true });
      const { text } = await client.answer();
      expect(text).toMatch(/检索/);
      const from = client.received.length;
      client.send({ type: 'asr_chunk', text: '它有什么优点？', is_final: true });
      const followUp = await client.answer(from);
      expect(followUp.text.length).toBeGreaterThan(0);
      client.close();
    } finally {
      await app.close();
    }
  });

  it('refuses to start in production without DIFY_API_KEY, naming the variable', async () => {
    await expect(startApp({ DIFY_API_KEY: undefined, NODE_ENV: 'production' })).rejects.toThrow(/DIFY_API_KEY/);
  });
});
