import OpenAI from 'openai';
import { waitUntil } from '../../test/support/wait-until';
import { LocalDifyServer } from './local-dify-server';
import { LOCAL_MODEL } from './openai-routes';

/**
 * The OpenAI-compatible route as the official `openai` npm client sees it: a cross-check that an
 * `openai` app pointed at the local server meets the API the real servers speak.
 */
describe('the local server through the official openai client', () => {
  let server: LocalDifyServer;
  let client: OpenAI;

  beforeEach(async () => {
    server = new LocalDifyServer({ apiKeys: ['sk-local'], splitWrites: true, chunkDelayMs: 1, firstChunkDelayMs: 1 });
    const { baseUrl } = await server.listen();
    client = new OpenAI({ apiKey: 'sk-local', baseURL: baseUrl, maxRetries: 0 });
  });
  afterEach(() => server.close());

  it('streams chat.completion.chunks whose deltas make the answer, usage last', async () => {
    const stream = await client.chat.completions.create({
      model: LOCAL_MODEL,
      messages: [{ role: 'user', content: '什么是 RAG？' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let finish: string | null = null;
    let usage: OpenAI.CompletionUsage | null | undefined;
    for await (const chunk of stream) {
      expect(chunk.object).toBe('chat.completion.chunk');
      text += chunk.choices[0]?.delta.content ?? '';
      finish = chunk.choices[0]?.finish_reason ?? finish;
      usage = chunk.usage ?? usage;
    }
    await waitUntil(() => server.openAiStreams.length === 1);
    expect(text).toBe(server.openAiStreams[0].answer);
    expect(finish).toBe('stop');
    expect(usage?.total_tokens).toBeGreaterThan(0);
  });

  it('answers a blocking request, and lists its model', async () => {
    const completion = await client.chat.completions.create({ model: LOCAL_MODEL, messages: [{ role: 'user', content: 'What is RAG?' }] });
    expect(completion.choices[0].message.content).toMatch(/RAG|retrieval/i);
    const models = await client.models.list();
    expect(models.data.map((model) => model.id)).toEqual([LOCAL_MODEL]);
  });

  it('fails as the client expects: a refused key, a rate limit', async () => {
    const bad = new OpenAI({ apiKey: 'sk-wrong', baseURL: client.baseURL, maxRetries: 0 });
    await expect(bad.models.list()).rejects.toBeInstanceOf(OpenAI.AuthenticationError);
    server.injectFault({ kind: 'http', status: 429 });
    await expect(client.chat.completions.create({ model: LOCAL_MODEL, messages: [{ role: 'user', content: 'x' }] })).rejects.toBeInstanceOf(
      OpenAI.RateLimitError,
    );
  });
});
