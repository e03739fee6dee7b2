import { once } from 'node:events';
import { waitUntil } from '../../test/support/wait-until';
import { LocalDifyOptions } from './local-dify.types';
import { LocalDifyServer } from './local-dify-server';

const KEY = 'app-test';
const auth = { Authorization: `Bearer ${KEY}`, 'Content-Type': 'application/json' };

async function withServer(options: LocalDifyOptions, run: (server: LocalDifyServer, baseUrl: string) => Promise<void>) {
  const server = new LocalDifyServer({ apiKeys: [KEY], chunkDelayMs: 0, firstChunkDelayMs: 0, chunkChars: 4, ...options });
  const { baseUrl } = await server.listen();
  try {
    await run(server, baseUrl);
  } finally {
    await server.close();
  }
}

const chat = (baseUrl: string, body: object, init: RequestInit = {}) =>
  fetch(`${baseUrl}/chat-messages`, { method: 'POST', headers: auth, body: JSON.stringify({ inputs: {}, user: 'u1', ...body }), ...init });

const history = (baseUrl: string, query: Record<string, string>) =>
  fetch(`${baseUrl}/messages?${new URLSearchParams(query).toString()}`, { headers: auth });

interface HistoryItem {
  id: string;
  conversation_id: string;
  answer: string;
  status: string;
  error: string | null;
  retriever_resources: Array<{ message_id: string; document_name: string }>;
  agent_thoughts: Array<{ id: string; message_id: string; tool: string }>;
  answer_tokens: number;
  [field: string]: unknown;
}

/** One conversation's messages, newest 20, for user u1. */
async function messages(baseUrl: string, conversationId: string): Promise<HistoryItem[]> {
  const response = await history(baseUrl, { conversation_id: conversationId, user: 'u1' });
  return ((await response.json()) as { data: HistoryItem[] }).data;
}

/** Reads an SSE response until `count` data frames came, and leaves the rest unread. */
async function firstFrames(response: Response, count: number) {
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let text = '';
  // What follows the last blank line is a frame still coming.
  const frames = () =>
    text
      .split('\n\n')
      .slice(0, -1)
      .filter((f) => f.startsWith('data: '));
  while (frames().length < count) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`The stream ended before ${count} frames`);
    text += decoder.decode(value, { stream: true });
  }
  return frames().map((f) => JSON.parse(f.slice(6)) as Record<string, unknown>);
}

/** Reads a whole SSE response: its raw byte chunks and its data frames. */
async function readStream(response: Response) {
  const raw: Uint8Array[] = [];
  const reader = response.body!.getReader();
  for (let r = await reader.read(); !r.done; r = await reader.read()) raw.push(r.value);
  const text = Buffer.concat(raw).toString('utf8');
  const frames = text
    .split(/\r?\n\r?\n/)
    .filter((f) => f.startsWith('data: '))
    .map((f) => JSON.parse(f.slice(6)) as Record<string, unknown>);
  return { raw, text, frames, events: frames.map((f) => f.event) };
}

describe('LocalDifyServer', () => {
  it('refuses requests without a valid key, as Dify does', async () => {
    await withServer({}, async (_server, baseUrl) => {
      const cases: Array<[Record<string, string>, string]> = [
        [{}, "Authorization header must be provided and start with 'Bearer'"],
        [{ Authorization: `Basic ${KEY}` }, "Authorization scheme must be 'Bearer'"],
        [{ Authorization: 'Bearer app-other' }, 'Access token is invalid'],
      ];
      for (const [headers, message] of cases) {
        const response = await fetch(`${baseUrl}/parameters`, { headers });
        expect(response.status).toBe(401);
        expect(response.headers.get('www-authenticate')).toBe('Bearer realm="api"');
        expect(await response.json()).toEqual({ code: 'unauthorized', message, status: 401 });
      }
    });
  });

  it('validates the body in Dify order and answers 404 without /v1', async () => {
    await withServer({}, async (_server, baseUrl) => {
      const bad = async (body: object) => (await chat(baseUrl, body)).json();
      expect(await bad({ user: '' })).toMatchObject({ status: 400, code: 'invalid_param', message: 'Arg user must be provided.' });
      expect(await bad({ query: '' })).toMatchObject({ code: 'invalid_param', message: 'query is required' });
      expect(await bad({ query: 'hi', inputs: undefined })).toMatchObject({ code: 'invalid_param' });
      expect(await bad({ query: 'hi', response_mode: 'fast' })).toMatchObject({ code: 'invalid_param' });
      expect(await bad({ query: 'hi', conversation_id: 'nope' })).toMatchObject({ message: 'conversation_id must be a valid UUID' });
      const notJson = await fetch(`${baseUrl}/chat-messages`, { method: 'POST', headers: auth, body: '{oops' });
      expect(await notJson.json()).toMatchObject({ status: 400, code: 'bad_request' });
      const withoutV1 = await fetch(`${baseUrl.replace(/\/v1$/, '')}/chat-messages`, { method: 'POST', headers: auth, body: '{}' });
      expect(withoutV1.status).toBe(404);
      expect(await withoutV1.json()).toMatchObject({ code: 'not_found' });
    });
  });

  it.each([
    ['chat', ['message', 'message_end']],
    ['agent-chat', ['agent_thought', 'agent_message', 'message_end']],
    [
      'advanced-chat',
      ['workflow_started', 'node_started', 'node_finished', 'node_started', 'message', 'node_finished', 'message_end', 'workflow_finished'],
    ],
  ] as const)('speaks the %s event sequence', async (appMode, sequence) => {
    await withServer({ appMode }, async (_server, baseUrl) => {
      const response = await chat(baseUrl, { query: '什么是 RAG？', response_mode: 'streaming' });
      expect(response.headers.get('content-type')).toBe('text/event-stream; charset=utf-8');
      const { events, frames } = await readStream(response);
      expect(events.filter((e, i) => e !== events[i - 1])).toEqual(sequence);
      expect(frames.every((f) => f.conversation_id && f.message_id && f.task_id && typeof f.created_at === 'number')).toBe(true);
      expect(Object.keys(frames[0]).slice(0, 5)).toEqual(['event', 'conversation_id', 'message_id', 'created_at', 'task_id']);
    });
  });

  it('streams pieces that join to the blocking answer, with sources in message_end', async () => {
    await withServer({}, async (_server, baseUrl) => {
      const { frames } = await readStream(await chat(baseUrl, { query: '年假有几天？', response_mode: 'streaming' }));
      const streamed = frames
        .filter((f) => f.event === 'message')
        .map((f) => f.answer)
        .join('');
      const blocking = (await (await chat(baseUrl, { query: '年假有几天？', response_mode: 'blocking' })).json()) as Record<
        string,
        unknown
      >;
      expect(streamed).toBe(blocking.answer);
      expect(streamed).toContain('15 天');
      const end = frames.at(-1) as { metadata: { retriever_resources: Array<{ document_name: string }>; usage: { total_price: unknown } } };
      expect(end.metadata.retriever_resources[0].document_name).toBe('acme-handbook-zh.md');
      expect(typeof end.metadata.usage.total_price).toBe('string');
    });
  });

  it('cuts frames inside UTF-8 characters with splitWrites, and writes CRLF and escaped JSON when asked', async () => {
    await withServer({ splitWrites: true, seed: 42 }, async (_server, baseUrl) => {
      const { raw } = await readStream(await chat(baseUrl, { query: '什么是 RAG？', response_mode: 'streaming' }));
      // A piece that starts with a UTF-8 continuation byte (10xxxxxx) was cut inside a character.
      const cutInsideCharacter = raw.some((chunk) => (chunk[0] & 0xc0) === 0x80);
      expect(raw.length).toBeGreaterThan(10);
      expect(cutInsideCharacter).toBe(true);
    });
    await withServer({ crlf: true, legacyJson: true }, async (_server, baseUrl) => {
      const { text } = await readStream(await chat(baseUrl, { query: '什么是 RAG？', response_mode: 'streaming' }));
      expect(text).toContain('\r\n\r\n');
      expect(text).toMatch(/^data: \{"event": "message", "conversation_id": /);
      expect(text).toMatch(/\\u[0-9a-f]{4}/);
      expect(text).not.toMatch(/[\u4e00-\u9fff]/);
    });
  });

  it('continues a conversation for its own user only, and forgets conversations on demand', async () => {
    await withServer({}, async (server, baseUrl) => {
      await readStream(await chat(baseUrl, { query: 'What is RAG?', response_mode: 'streaming' }));
      const conversation_id = server.streams[0].conversationId;
      const again = await chat(baseUrl, { query: 'What are its advantages?', response_mode: 'streaming', conversation_id });
      expect(again.status).toBe(200);
      await readStream(again);
      expect(server.streams[1].conversationId).toBe(conversation_id);
      const foreign = await chat(baseUrl, { query: 'hi?', user: 'u2', conversation_id });
      expect(await foreign.json()).toEqual({ code: 'not_found', message: 'Conversation Not Exists.', status: 404 });
      const history = (await (await fetch(`${baseUrl}/messages?conversation_id=${conversation_id}&user=u1`, { headers: auth })).json()) as {
        data: Array<{ query: string }>;
      };
      expect(history.data.map((m) => m.query)).toEqual(['What is RAG?', 'What are its advantages?']);
      server.forgetConversations();
      expect((await chat(baseUrl, { query: 'and?', conversation_id })).status).toBe(404);
    });
  });

  it('ends generation on stop from the message’s user only, and saves the partial answer', async () => {
    await withServer({ chunkDelayMs: 30, chunkChars: 1 }, async (server, baseUrl) => {
      const response = await chat(baseUrl, { query: '什么是 RAG？', response_mode: 'streaming' });
      const reading = readStream(response);
      await new Promise((r) => setTimeout(r, 100));
      const [record] = server.streams;
      const stop = (user: string) =>
        fetch(`${baseUrl}/chat-messages/${record.taskId}/stop`, { method: 'POST', headers: auth, body: JSON.stringify({ user }) });
      expect(await (await stop('someone-else')).json()).toEqual({ result: 'success' });
      expect([record.outcome, record.generation]).toEqual(['open', 'running']);
      const ended = once(server, 'message-end');
      await stop('u1');
      expect((await ended)[0]).toMatchObject({ taskId: record.taskId, generation: 'stopped' });
      const { events, frames } = await reading;
      expect(events.at(-1)).toBe('message_end');
      expect(record.outcome).toBe('stopped');
      const streamed = frames
        .filter((f) => f.event === 'message')
        .map((f) => f.answer as string)
        .join('');
      expect(streamed.length).toBeGreaterThan(0);
      expect(streamed.length).toBeLessThan(record.answer.length);
      const [saved] = await messages(baseUrl, record.conversationId);
      expect(saved).toMatchObject({ answer: streamed, status: 'normal' });
      expect(server.stopCalls).toEqual([
        { taskId: record.taskId, user: 'someone-else' },
        { taskId: record.taskId, user: 'u1' },
      ]);
    });
  });

  it('generates the answer to its end after the client went mid-stream, then lists it whole', async () => {
    await withServer({ chunkDelayMs: 10 }, async (server, baseUrl) => {
      const abort = new AbortController();
      const response = await chat(baseUrl, { query: '什么是 RAG？', response_mode: 'streaming' }, { signal: abort.signal });
      await firstFrames(response, 2);
      const [record] = server.streams;
      const streamEnded = once(server, 'stream-end');
      const messageEnded = once(server, 'message-end');
      abort.abort();
      await streamEnded;
      expect([record.outcome, record.generation]).toEqual(['client-closed', 'running']);
      await messageEnded;
      expect(record.generation).toBe('completed');
      const [saved] = await messages(baseUrl, record.conversationId);
      expect(saved).toMatchObject({ id: record.messageId, answer: record.answer, status: 'normal', error: null });
      expect(saved.retriever_resources[0]).toMatchObject({ message_id: record.messageId, document_name: 'rag-zh.md' });
      expect(saved.answer_tokens).toBeGreaterThan(0);
    });
  });

  it('lists a message from the start of its generation, its answer empty until generation ended', async () => {
    await withServer({ chunkDelayMs: 30 }, async (server, baseUrl) => {
      const response = await chat(baseUrl, { query: '什么是 RAG？', response_mode: 'streaming' });
      const [first] = await firstFrames(response, 1);
      const conversationId = String(first.conversation_id);
      expect(await messages(baseUrl, conversationId)).toEqual([
        {
          id: first.message_id,
          conversation_id: conversationId,
          parent_message_id: '00000000-0000-0000-0000-000000000000',
          inputs: {},
          query: '什么是 RAG？',
          answer: '',
          feedback: null,
          retriever_resources: [],
          created_at: first.created_at,
          agent_thoughts: [],
          message_files: [],
          message_tokens: 0,
          answer_tokens: 0,
          provider_response_latency: 0,
          total_price: '0.0000000',
          currency: 'USD',
          status: 'normal',
          error: null,
          extra_contents: [],
          total_tokens: 0,
        },
      ]);
      await once(server, 'message-end');
      const [saved] = await messages(baseUrl, conversationId);
      expect(saved.answer).toBe(server.streams[0].answer);
      expect(saved.provider_response_latency).toBeGreaterThan(0);
      expect(saved.total_tokens).toBe(Number(saved.message_tokens) + saved.answer_tokens);
    });
  });

  it('pages history backwards with first_id and limit, and refuses as Dify does', async () => {
    await withServer({}, async (server, baseUrl) => {
      let conversation_id = '';
      for (const query of ['What is RAG?', 'And Dify?', 'How many vacation days?']) {
        await readStream(await chat(baseUrl, { query, response_mode: 'streaming', conversation_id }));
        conversation_id = server.streams[0].conversationId;
      }
      const page = async (query: Record<string, string>) => (await history(baseUrl, { conversation_id, user: 'u1', ...query })).json();
      const newest = (await page({ limit: '2' })) as { limit: number; has_more: boolean; data: HistoryItem[] };
      expect(newest).toMatchObject({ limit: 2, has_more: true });
      expect(newest.data.map((m) => m.query)).toEqual(['And Dify?', 'How many vacation days?']);
      const older = (await page({ limit: '2', first_id: newest.data[0].id })) as { has_more: boolean; data: HistoryItem[] };
      expect([older.has_more, older.data.map((m) => m.query)]).toEqual([false, ['What is RAG?']]);
      expect(await page({ conversation_id: '' })).toEqual({ limit: 20, has_more: false, data: [] });

      const notExists = { code: 'not_found', message: 'Conversation Not Exists.', status: 404 };
      expect(await page({ user: 'u2' })).toEqual(notExists);
      expect(await (await history(baseUrl, { conversation_id })).json()).toEqual(notExists);
      expect(await page({ conversation_id: '2f1d3c3e-0000-4000-8000-000000000000' })).toEqual(notExists);
      expect(await page({ first_id: '2f1d3c3e-0000-4000-8000-000000000000' })).toEqual({
        code: 'not_found',
        message: 'First Message Not Exists.',
        status: 404,
      });
      for (const bad of [{ limit: '0' }, { limit: '101' }, { limit: 'ten' }, { first_id: 'nope' }, { conversation_id: 'nope' }] as Array<
        Record<string, string>
      >) {
        expect(await page(bad)).toMatchObject({ code: 'invalid_param', status: 400 });
      }
      expect(await (await history(baseUrl, { user: 'u1' })).json()).toMatchObject({
        code: 'invalid_param',
        message: expect.stringContaining('conversation_id\n  Field required'),
      });
    });
  });

  it('lists an agent’s thoughts as it streamed them', async () => {
    await withServer({ appMode: 'agent-chat' }, async (_server, baseUrl) => {
      const { frames } = await readStream(await chat(baseUrl, { query: 'What is RAG?', response_mode: 'streaming' }));
      const thought = frames.find((f) => f.event === 'agent_thought')!;
      const [saved] = await messages(baseUrl, String(thought.conversation_id));
      expect(saved.agent_thoughts).toEqual([
        expect.objectContaining({ id: thought.id, message_id: thought.message_id, tool: thought.tool, tool_input: thought.tool_input }),
      ]);
    });
  });

  it('keeps no records with record: false, and still tells when a reply and its message ended', async () => {
    await withServer({ record: false }, async (server, baseUrl) => {
      const ended = once(server, 'stream-end');
      const generated = once(server, 'message-end');
      const response = await chat(baseUrl, { query: '什么是 RAG？', response_mode: 'streaming' });
      const { frames } = await readStream(response);
      const [record] = await ended;
      await fetch(`${baseUrl}/chat-messages/${String(frames[0].task_id)}/stop`, {
        method: 'POST',
        headers: auth,
        body: JSON.stringify({ user: 'u1' }),
      });
      expect(record).toMatchObject({ outcome: 'completed', generation: 'completed', query: '什么是 RAG？' });
      expect((await generated)[0]).toBe(record);
      expect([server.requests, server.streams, server.stopCalls]).toEqual([[], [], []]);
    });
  });

  it('plays injected faults, one per request', async () => {
    await withServer({ pingIntervalMs: 20 }, async (server, baseUrl) => {
      server.injectFault({ kind: 'http', status: 429, code: 'too_many_requests', message: 'Too many requests' });
      server.injectFault({ kind: 'http', status: 502, html: true });
      server.injectFault({ kind: 'error-event', afterChunks: 1 });
      server.injectFault({ kind: 'cut', afterChunks: 2 });
      server.injectFault({ kind: 'message-replace', afterChunks: 1, answer: 'Replaced.' });
      server.injectFault({ kind: 'destroy' });
      const streaming = { query: 'What is RAG?', response_mode: 'streaming' };
      expect((await chat(baseUrl, streaming)).status).toBe(429);
      const html = await chat(baseUrl, streaming);
      expect([html.status, await html.text()]).toEqual([502, expect.stringContaining('<html>')]);
      expect((await readStream(await chat(baseUrl, streaming))).events).toEqual(['message', 'error']);
      expect((await readStream(await chat(baseUrl, streaming))).events).toEqual(['message', 'message']);
      expect((await readStream(await chat(baseUrl, streaming))).events).toEqual(['message', 'message_replace', 'message_end']);
      await expect(chat(baseUrl, streaming)).rejects.toThrow();
      expect((await chat(baseUrl, { query: 'What is RAG?' })).status).toBe(200);
    });
  });

  it('saves what the generation faults made of the message; a cut stream’s answer is generated all the same', async () => {
    await withServer({}, async (server, baseUrl) => {
      const streaming = { query: 'What is RAG?', response_mode: 'streaming' };
      const saved = async () => {
        await waitUntil(() => server.streams.at(-1)!.generation !== 'running');
        return (await messages(baseUrl, server.streams.at(-1)!.conversationId))[0];
      };
      server.injectFault({ kind: 'error-event', afterChunks: 1, message: 'Model overloaded.' });
      await readStream(await chat(baseUrl, streaming));
      expect(await saved()).toMatchObject({ answer: '', status: 'error', error: 'Model overloaded.', retriever_resources: [] });
      expect(server.streams.at(-1)!.generation).toBe('failed');
      server.injectFault({ kind: 'message-replace', afterChunks: 1, answer: 'Replaced.' });
      await readStream(await chat(baseUrl, streaming));
      expect(await saved()).toMatchObject({ answer: 'Replaced.', status: 'normal' });
      server.injectFault({ kind: 'cut', afterChunks: 1 });
      await readStream(await chat(baseUrl, streaming));
      expect(await saved()).toMatchObject({ answer: server.streams.at(-1)!.answer, status: 'normal' });
      expect(server.streams.at(-1)).toMatchObject({ outcome: 'fault', generation: 'completed', chunksSent: 1 });

      server.injectFault({
        kind: 'error-event',
        afterChunks: 1,
        status: 400,
        code: 'completion_request_error',
        message: 'Model overloaded.',
      });
      const blocking = await chat(baseUrl, { query: 'What is RAG?' });
      expect([blocking.status, await blocking.json()]).toEqual([
        400,
        { code: 'completion_request_error', message: 'Model overloaded.', status: 400 },
      ]);
    });
  });

  it('records client-closed when the client goes mid-stream, and close() stops every generation', async () => {
    const server = new LocalDifyServer({ apiKeys: [KEY], pingIntervalMs: 10, chunkDelayMs: 1000 });
    const { baseUrl } = await server.listen();
    server.injectFault({ kind: 'hang' });
    const abort = new AbortController();
    const response = await chat(baseUrl, { query: 'What is RAG?', response_mode: 'streaming' }, { signal: abort.signal });
    expect(response.status).toBe(200);
    const ended = once(server, 'stream-end');
    abort.abort();
    expect((await ended)[0]).toMatchObject({ outcome: 'client-closed', generation: 'running' });
    const open = await chat(baseUrl, { query: 'What is RAG?', response_mode: 'streaming' });
    expect(open.status).toBe(200);
    await server.close();
    await waitUntil(() => server.streams.every((s) => s.generation === 'stopped'));
  });
});
