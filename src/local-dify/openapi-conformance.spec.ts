import { responseProblems, streamEventProblems } from '../../test/support/dify-openapi';
import { difyEvents } from '../../test/support/dify-sse';
import { LocalDifyOptions } from './local-dify.types';
import { LocalDifyServer } from './local-dify-server';

/**
 * Every response of every chat-app endpoint, and every event of every app type's stream, checked
 * against Dify's OpenAPI document (test/fixtures/dify-openapi-service.json): documented statuses,
 * every field a schema lists with its type and format, Dify's error envelope and codes.
 */
const KEY = 'app-openapi';
const USER = 'openapi-user';
const MISSING = '0b0c0d0e-0000-4000-8000-000000000000';

async function withServer(options: LocalDifyOptions, run: (api: Api, baseUrl: string) => Promise<void>): Promise<void> {
  const server = new LocalDifyServer({ apiKeys: [KEY], chunkDelayMs: 0, firstChunkDelayMs: 0, chunkChars: 40, ...options });
  const { baseUrl } = await server.listen();
  try {
    await run(new Api(baseUrl), baseUrl);
  } finally {
    await server.close();
  }
}

/** Calls an operation by the document's path template, checks the response against it, returns the body. */
class Api {
  constructor(private readonly baseUrl: string) {}

  async call(method: string, template: string, init: { path?: string; query?: object; json?: object; form?: FormData } = {}) {
    const url = new URL(`${this.baseUrl}${init.path ?? template}`);
    for (const [key, value] of Object.entries(init.query ?? {})) url.searchParams.set(key, String(value));
    const headers: Record<string, string> = { Authorization: `Bearer ${KEY}` };
    if (init.json) headers['Content-Type'] = 'application/json';
    const response = await fetch(url, { method, headers, body: init.form ?? (init.json && JSON.stringify(init.json)) });
    const type = response.headers.get('content-type') ?? '';
    const body: unknown = type.startsWith('application/json') ? await response.json() : await response.arrayBuffer();
    expect({ call: `${method} ${template}`, problems: responseProblems(method, template, response.status, body) }).toEqual({
      call: `${method} ${template}`,
      problems: [],
    });
    return { status: response.status, type, body: body as Record<string, unknown> };
  }

  /** A streamed chat, each event checked. */
  async stream(json: object) {
    const response = await fetch(`${this.baseUrl}/chat-messages`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${KEY}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ inputs: {}, user: USER, response_mode: 'streaming', ...json }),
    });
    expect(response.status).toBe(200);
    const events = await difyEvents(response.body!);
    expect(events.map((event) => ({ event: event.event, problems: streamEventProblems(event) }))).toEqual(
      events.map((event) => ({ event: event.event, problems: [] })),
    );
    return events;
  }
}

describe('LocalDifyServer against Dify’s OpenAPI document', () => {
  it('answers every chat-app endpoint as documented', async () => {
    await withServer({ tts: true }, async (api) => {
      const chat = (json: object) => api.call('POST', '/chat-messages', { json: { inputs: {}, user: USER, ...json } });
      const events = await api.stream({ query: 'What is RAG?' });
      expect(events.map((e) => e.event)).toContain('tts_message');
      const { conversation_id: conversationId, message_id: messageId, task_id: taskId } = events[0] as Record<string, string>;
      const blocking = await chat({ query: 'What are its advantages?', conversation_id: conversationId });
      expect((blocking.body.metadata as { retriever_resources: unknown[] }).retriever_resources[0]).toMatchObject({
        position: 1,
        segment_position: expect.any(Number),
      });
      expect((await chat({ query: 'hi', user: '' })).status).toBe(400);
      expect((await chat({ query: 'hi', conversation_id: MISSING })).status).toBe(404);

      const stop = `/chat-messages/${taskId}/stop`;
      expect((await api.call('POST', '/chat-messages/{task_id}/stop', { path: stop, json: { user: USER } })).body).toEqual({
        result: 'success',
      });
      expect((await api.call('POST', '/chat-messages/{task_id}/stop', { path: stop, json: {} })).status).toBe(400);

      const suggested = '/messages/{message_id}/suggested';
      const questions = await api.call('GET', suggested, { path: `/messages/${messageId}/suggested`, query: { user: USER } });
      expect(questions.body.data).toHaveLength(3);
      expect((await api.call('GET', suggested, { path: `/messages/${MISSING}/suggested`, query: { user: USER } })).status).toBe(404);

      const feedbacks = '/messages/{message_id}/feedbacks';
      const rate = (path: string, json: object) => api.call('POST', feedbacks, { path, json });
      expect((await rate(`/messages/${messageId}/feedbacks`, { rating: 'like', user: USER, content: 'Clear.' })).status).toBe(200);
      expect((await rate(`/messages/${messageId}/feedbacks`, { rating: 'like' })).status).toBe(400);
      expect((await rate(`/messages/${MISSING}/feedbacks`, { rating: 'like', user: USER })).status).toBe(404);
      const listed = await api.call('GET', '/app/feedbacks');
      expect(listed.body.data).toEqual([expect.objectContaining({ message_id: messageId, rating: 'like', content: 'Clear.' })]);

      const history = await api.call('GET', '/messages', { query: { conversation_id: conversationId, user: USER, limit: 1 } });
      expect((history.body.data as Array<{ retriever_resources: unknown[] }>)[0].retriever_resources.length).toBeGreaterThan(0);
      expect(
        (await api.call('GET', '/messages', { query: { conversation_id: conversationId, user: USER, first_id: MISSING } })).status,
      ).toBe(404);
      expect((await api.call('GET', '/messages', { query: { conversation_id: conversationId, user: USER, limit: 'abc' } })).status).toBe(
        400,
      );

      await chat({ query: '年假有几天？' });
      const conversations = await api.call('GET', '/conversations', { query: { user: USER, limit: 1, sort_by: 'created_at' } });
      expect(conversations.body).toMatchObject({ limit: 1, has_more: true, data: [{ id: conversationId }] });
      expect((await api.call('GET', '/conversations', { query: { user: USER, last_id: MISSING } })).status).toBe(404);
      expect((await api.call('GET', '/conversations', { query: { user: USER, sort_by: 'name' } })).status).toBe(400);

      const one = (rest = '') => `/conversations/${conversationId}${rest}`;
      expect(
        (await api.call('GET', '/conversations/{conversation_id}/variables', { path: one('/variables'), query: { user: USER } })).body.data,
      ).toEqual([]);
      const variable = '/conversations/{conversation_id}/variables/{variable_id}';
      expect((await api.call('PUT', variable, { path: one(`/variables/${MISSING}`), json: { value: 'x', user: USER } })).status).toBe(404);
      const rename = '/conversations/{conversation_id}/name';
      expect((await api.call('POST', rename, { path: one('/name'), json: { name: 'RAG', user: USER } })).body.name).toBe('RAG');
      expect((await api.call('POST', rename, { path: one('/name'), json: { auto_generate: true, user: USER } })).body.name).toBe(
        'What is RAG?',
      );
      expect((await api.call('POST', rename, { path: `/conversations/${MISSING}/name`, json: { name: 'x', user: USER } })).status).toBe(
        404,
      );

      const form = new FormData();
      form.append('file', new Blob(['hello'], { type: 'text/plain' }), 'hello.txt');
      expect((await api.call('POST', '/files/upload', { form })).status).toBe(201);
      expect((await api.call('POST', '/files/upload', { form: new FormData() })).status).toBe(400);
      const two = new FormData();
      two.append('file', new Blob(['a'], { type: 'text/plain' }), 'a.txt');
      two.append('other', new Blob(['b'], { type: 'text/plain' }), 'b.txt');
      expect((await api.call('POST', '/files/upload', { form: two })).body).toMatchObject({ code: 'too_many_files' });

      const speech = await api.call('POST', '/text-to-audio', { json: { message_id: messageId, user: USER } });
      expect([
        speech.status,
        speech.type,
        Buffer.from(speech.body as unknown as ArrayBuffer)
          .subarray(0, 4)
          .toString(),
      ]).toEqual([200, 'audio/wav', 'RIFF']);
      expect((await api.call('POST', '/text-to-audio', { json: { user: USER } })).status).toBe(400);
      expect((await api.call('POST', '/audio-to-text', { form })).body).toMatchObject({ code: 'speech_to_text_disabled' });

      for (const path of ['/info', '/parameters', '/meta', '/site']) expect((await api.call('GET', path)).status).toBe(200);

      const remove = '/conversations/{conversation_id}';
      expect((await api.call('DELETE', remove, { path: one(), json: { user: USER } })).status).toBe(204);
      expect((await api.call('DELETE', remove, { path: one(), json: { user: USER } })).status).toBe(404);
    });
  });

  it('says text to speech is off, and refuses it, without the tts option', async () => {
    await withServer({}, async (api) => {
      expect((await api.call('GET', '/parameters')).body.text_to_speech).toMatchObject({ enabled: false, autoPlay: 'disabled' });
      expect((await api.call('POST', '/text-to-audio', { json: { text: 'hello' } })).body).toMatchObject({ message: 'TTS is not enabled' });
      expect((await api.stream({ query: 'What is RAG?' })).map((e) => e.event)).not.toContain('tts_message');
    });
  });

  it.each([
    ['agent-chat', ['agent_thought', 'agent_message', 'message_end']],
    ['advanced-chat', ['workflow_started', 'node_started', 'node_finished', 'message', 'message_end', 'workflow_finished']],
  ] as const)('streams an %s app’s events as documented', async (appMode, kinds) => {
    await withServer({ appMode }, async (api) => {
      const events = await api.stream({ query: 'What is RAG?' });
      expect([...new Set(events.map((e) => e.event))]).toEqual(kinds);
      const nodes = events.filter((e) => e.event === 'node_finished').map((e) => (e.data as { node_type: string }).node_type);
      expect(nodes).toEqual(appMode === 'advanced-chat' ? ['knowledge-retrieval', 'llm'] : []);
      const tools = events.filter((e) => e.event === 'agent_thought').map((e) => e.tool);
      expect(tools).toEqual(appMode === 'agent-chat' ? ['dataset_retrieval', 'dataset_retrieval'] : []);
    });
  });

  it('streams the error, replace and stop endings as documented', async () => {
    const server = new LocalDifyServer({ apiKeys: [KEY], chunkDelayMs: 0, firstChunkDelayMs: 0 });
    const api = new Api((await server.listen()).baseUrl);
    try {
      server.injectFault({ kind: 'error-event', afterChunks: 1 });
      expect((await api.stream({ query: 'What is RAG?' })).map((e) => e.event)).toEqual(['message', 'error']);
      server.injectFault({ kind: 'message-replace', afterChunks: 1, answer: 'Replaced.' });
      expect((await api.stream({ query: 'What is RAG?' })).at(-2)).toMatchObject({ event: 'message_replace' });
    } finally {
      await server.close();
    }
  });

  it('answers an unknown route with Dify’s 404 and a known one asked wrongly with its 405', async () => {
    await withServer({}, async (_api, baseUrl) => {
      // Routing comes before the key check, as in Flask: no key needed to learn a path does not exist.
      const unknown = await fetch(`${baseUrl}/nothing-here`);
      expect([unknown.status, await unknown.json()]).toEqual([404, expect.objectContaining({ code: 'not_found', status: 404 })]);
      const wrongMethod = await fetch(`${baseUrl}/parameters`, { method: 'DELETE', headers: { Authorization: `Bearer ${KEY}` } });
      expect([wrongMethod.status, await wrongMethod.json()]).toEqual([
        405,
        expect.objectContaining({ code: 'method_not_allowed', status: 405 }),
      ]);
    });
  });
});
