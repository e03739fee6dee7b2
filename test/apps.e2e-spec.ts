import { LocalDifyServer } from '../src/local-dify';
import { signWith } from './support/jwks-server';
import { freePort, upgradeStatus } from './support/net';
import { sample } from './support/prometheus';
import { startApp } from './support/stack';
import { waitUntil } from './support/wait-until';
import { WsTestClient } from './support/ws-test-client';

const HR_KEY = 'app-hrSecretKey0123456789abcd';
const IT_KEY = 'app-itSecretKey0123456789abcd';
const TOKENS = 'acme:acme-apps-token-1,globex:globex-apps-token-2';
const ACME = 'acme-apps-token-1';
const GLOBEX = 'globex-apps-token-2';
const SECRET = new TextEncoder().encode('apps-e2e-jwt-secret-of-at-least-32-bytes');

/** Two Dify-compatible servers on port 0, each its own app with its own key. */
async function difyServer(key: string): Promise<{ server: LocalDifyServer; baseUrl: string }> {
  const server = new LocalDifyServer({ apiKeys: [key], chunkDelayMs: 2, firstChunkDelayMs: 5 });
  const { baseUrl } = await server.listen(0, '127.0.0.1');
  return { server, baseUrl };
}

const chats = (server: LocalDifyServer) => server.requests.filter((r) => r.method === 'POST' && r.path === '/v1/chat-messages');
type ChatBody = { inputs: Record<string, unknown>; user: string; conversation_id?: string };

describe('many apps in one deployment (e2e)', () => {
  let hr: { server: LocalDifyServer; baseUrl: string };
  let it_: { server: LocalDifyServer; baseUrl: string };
  let app: Awaited<ReturnType<typeof startApp>>;
  const connect = (token: string, query = '') => WsTestClient.connect(`${app.wsUrl}?token=${token}${query}`);

  beforeAll(async () => {
    [hr, it_] = await Promise.all([difyServer(HR_KEY), difyServer(IT_KEY)]);
    const apps = {
      hr: { base_url: hr.baseUrl, api_key: HR_KEY, inputs: { dept: 'hr' } },
      it: { base_url: it_.baseUrl, api_key: IT_KEY, inputs: { dept: 'it' }, principals: ['acme'] },
    };
    app = await startApp({
      APPS: JSON.stringify(apps),
      DEFAULT_APP: 'hr',
      AUTH_TOKENS: TOKENS,
      AUTH_JWT_SECRET: new TextDecoder().decode(SECRET),
      DIFY_API_KEY: undefined,
    });
  });
  afterAll(async () => {
    await app.close();
    await Promise.all([hr.server.close(), it_.server.close()]);
  });
  beforeEach(() => {
    hr.server.requests.length = 0;
    it_.server.requests.length = 0;
  });

  async function ask(client: WsTestClient, text = '什么是 RAG？', session_id?: string): Promise<string> {
    const from = client.received.length;
    client.send({ type: 'asr_chunk', text, is_final: true, ...(session_id ? { session_id } : {}) });
    return (await client.answer(from)).text;
  }

  it("asks the app ?app= names, with that app's key and inputs, and never the other", async () => {
    const client = await connect(ACME, '&app=it');
    expect(await ask(client)).not.toBe('');
    expect(chats(hr.server)).toHaveLength(0);
    const [request] = chats(it_.server);
    expect(request.headers.authorization).toBe(`Bearer ${IT_KEY}`);
    expect((request.body as ChatBody).inputs).toEqual({ dept: 'it' });
    const metrics = await (await fetch(`${app.httpUrl}/metrics`)).text();
    expect(sample(metrics, 'realtime_rag_dify_calls_total{outcome="completed",app="it"}')).toBeGreaterThanOrEqual(1);
    client.close();
  });

  it('asks DEFAULT_APP when the connection names none', async () => {
    const client = await connect(GLOBEX);
    await ask(client);
    expect(chats(it_.server)).toHaveLength(0);
    const [request] = chats(hr.server);
    expect(request.headers.authorization).toBe(`Bearer ${HR_KEY}`);
    expect((request.body as ChatBody).inputs).toEqual({ dept: 'hr' });
    client.close();
  });

  it('lets a hello choose the app before the first question, and refuses another app after it', async () => {
    const client = await connect(ACME);
    client.send({ type: 'hello', features: [], app: 'it' });
    await client.waitFor((m) => m.type === 'ack' && m.received_type === 'hello');
    await ask(client);
    expect(chats(hr.server)).toHaveLength(0);
    expect(chats(it_.server)).toHaveLength(1);
    const from = client.received.length;
    client.send({ type: 'hello', features: [], app: 'hr' });
    expect(await client.waitFor((m) => m.type === 'error', { from })).toMatchObject({
      code: 'INVALID_MESSAGE',
      message: expect.stringMatching(/asks app it since its first question/),
    });
    // The same app again is no change: acknowledged.
    client.send({ type: 'hello', features: [], app: 'it' });
    await client.waitFor((m) => m.type === 'ack' && m.received_type === 'hello', { from });
    await ask(client);
    expect(chats(hr.server)).toHaveLength(0);
    expect(chats(it_.server)).toHaveLength(2);
    client.close();
  });

  it('refuses an unknown app and one the principal may not use alike: 403 at the upgrade, UNKNOWN_APP for a hello', async () => {
    expect(await upgradeStatus(`${app.wsUrl}?token=${GLOBEX}&app=it`)).toBe(403);
    expect(await upgradeStatus(`${app.wsUrl}?token=${ACME}&app=nope`)).toBe(403);
    // Authentication comes first: a bad token is 401 whatever the app.
    expect(await upgradeStatus(`${app.wsUrl}?token=wrong&app=nope`)).toBe(401);
    const client = await connect(GLOBEX);
    const errors = [];
    for (const name of ['it', 'nope']) {
      const from = client.received.length;
      client.send({ type: 'hello', features: ['sources'], app: name });
      errors.push(await client.waitFor((m) => m.type === 'error', { from }));
    }
    expect(errors[0]).toMatchObject({ code: 'UNKNOWN_APP' });
    // One answer for both, so app names do not leak.
    expect(errors[1]).toEqual(errors[0]);
    // Nothing of a refused hello applies: no features turned on, and questions still go to the default app.
    await ask(client);
    expect(client.received.some((m) => m.type === 'sources')).toBe(false);
    expect(chats(it_.server)).toHaveLength(0);
    const metrics = await (await fetch(`${app.httpUrl}/metrics`)).text();
    expect(sample(metrics, 'realtime_rag_upgrades_refused_total{reason="unknown_app"}')).toBe(2);
    client.close();
  });

  it('keeps the same session_id in two apps as two sessions, each with its own conversation', async () => {
    const inHr = await connect(ACME, '&app=hr');
    const inIt = await connect(ACME, '&app=it');
    await ask(inHr, '什么是 RAG？', 'shared-session');
    await ask(inIt, '什么是 RAG？', 'shared-session');
    await ask(inHr, 'What is Dify?', 'shared-session');
    const [hrFirst, hrSecond] = chats(hr.server).map((r) => r.body as ChatBody);
    const [itFirst] = chats(it_.server).map((r) => r.body as ChatBody);
    // The IT app's first question starts its own conversation; HR's second continues HR's.
    expect(itFirst.conversation_id).toBeUndefined();
    expect(hrFirst.conversation_id).toBeUndefined();
    expect(hrSecond.conversation_id).toEqual(expect.any(String));
    expect(it_.server.streams.map((s) => s.conversationId)).not.toContain(hrSecond.conversation_id);
    inHr.close();
    inIt.close();
  });

  it("keeps a connection pinned to its token's app: that app without naming one, another refused at the upgrade, in a hello and in batch", async () => {
    const pinned = await signWith(SECRET, { sub: 'acme', app: 'it' });
    expect(await upgradeStatus(`${app.wsUrl}?token=${pinned}&app=hr`)).toBe(403);
    const client = await connect(pinned);
    await ask(client);
    expect(chats(hr.server)).toHaveLength(0);
    expect(chats(it_.server)).toHaveLength(1);
    client.send({ type: 'hello', features: [], app: 'hr' });
    const refused = await client.waitFor((m) => m.type === 'error');
    expect(refused.code).toBe('UNKNOWN_APP');
    await ask(client);
    expect(chats(hr.server)).toHaveLength(0);
    client.close();
    const submit = await fetch(`${app.httpUrl}/api/batch/tasks`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${pinned}` },
      body: JSON.stringify({ name: 'pinned', texts: ['什么是 RAG？'], app: 'hr' }),
    });
    expect(submit.status).toBe(403);
  });

  it('answers a batch task in the app its body names, with the same rules (403 UNKNOWN_APP)', async () => {
    const submit = (token: string, body: object) =>
      fetch(`${app.httpUrl}/api/batch/tasks`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ name: 'apps', texts: ['什么是 RAG？'], ...body }),
      });
    for (const [token, name] of [
      [GLOBEX, 'it'],
      [ACME, 'nope'],
    ]) {
      const refused = await submit(token, { app: name });
      expect(refused.status).toBe(403);
      expect(await refused.json()).toMatchObject({ code: 'UNKNOWN_APP' });
    }
    const created = await submit(ACME, { app: 'it' });
    expect(created.status).toBe(201);
    const { task_id: id } = (await created.json()) as { task_id: string };
    const task = async () => (await (await fetch(`${app.httpUrl}/api/batch/tasks/${id}?token=${ACME}`)).json()) as { status: string };
    await waitUntil(async () => (await task()).status === 'completed');
    expect(chats(hr.server)).toHaveLength(0);
    expect(chats(it_.server).map((r) => r.headers.authorization)).toEqual([`Bearer ${IT_KEY}`]);
  });

  it('offers the demo page the apps the presented token may use', async () => {
    const config = (token: string) => fetch(`${app.httpUrl}/demo/config?token=${token}`).then((r) => r.json());
    expect(await config(ACME)).toMatchObject({ apps: ['hr', 'it'], defaultApp: 'hr' });
    expect(await config(GLOBEX)).toMatchObject({ apps: ['hr'], defaultApp: 'hr' });
    expect(await config('wrong')).toMatchObject({ apps: [] });
  });
});

describe('readiness with many apps (e2e)', () => {
  it("stays ready while one app's Dify is down, names each app's state, and is unready when no app answers", async () => {
    const hr = await difyServer(HR_KEY);
    const down = `http://127.0.0.1:${await freePort()}/v1`;
    const apps = (hrUrl: string) => JSON.stringify({ hr: { base_url: hrUrl, api_key: HR_KEY }, it: { base_url: down, api_key: IT_KEY } });
    const app = await startApp({ APPS: apps(hr.baseUrl), DEFAULT_APP: 'hr', DIFY_API_KEY: undefined });
    try {
      const ready = await fetch(`${app.httpUrl}/health/ready`);
      const text = await ready.text();
      expect(ready.status).toBe(200);
      expect(JSON.parse(text)).toMatchObject({
        status: 'ok',
        info: { dify: { status: 'up', apps: { hr: { status: 'up' }, it: { status: 'down', reason: expect.any(String) } } } },
      });
      expect(text).not.toContain(HR_KEY);
      expect(text).not.toContain(IT_KEY);
      expect(text).not.toContain('127.0.0.1');
    } finally {
      await app.close();
      await hr.server.close();
    }

    const none = await startApp({ APPS: apps(down), DEFAULT_APP: 'hr', DIFY_API_KEY: undefined });
    try {
      const unready = await fetch(`${none.httpUrl}/health/ready`);
      expect(unready.status).toBe(503);
      expect(await unready.json()).toMatchObject({
        error: { dify: { status: 'down', reason: 'no app answers', apps: { hr: { status: 'down' }, it: { status: 'down' } } } },
      });
    } finally {
      await none.close();
    }
  });
});
