import { freePort } from './support/net';
import { startApp, startStack } from './support/stack';

describe('health endpoints (e2e)', () => {
  it('answers liveness without calling Dify, and readiness after probing it with the key', async () => {
    const stack = await startStack();
    const live = await fetch(`${stack.httpUrl}/health`);
    expect(live.status).toBe(200);
    // terminus's fields beside the Python service's (its monitors read status "healthy").
    expect(await live.json()).toEqual({
      status: 'healthy',
      info: {},
      error: {},
      details: {},
      version: expect.stringMatching(/^\d+\.\d+\.\d+/),
      services: { rag: true, search: false, batch_processing: true },
      providers: { rag: { name: 'dify', type: 'dify', status: true } },
      dify_configured: true,
      rag_configured: true,
      batch_processing_enabled: true,
    });
    expect(stack.dify.requests).toHaveLength(0);

    const ready = await fetch(`${stack.httpUrl}/health/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({ status: 'ok', info: { dify: { status: 'up', embedded: false } } });
    expect(stack.dify.requests.map((r) => r.path)).toEqual(['/v1/parameters']);
    // Probes within a few seconds share one Dify call.
    expect((await fetch(`${stack.httpUrl}/health/ready`)).status).toBe(200);
    expect(stack.dify.requests).toHaveLength(1);
    await stack.close();
  });

  it('is not ready when Dify refuses the key', async () => {
    const stack = await startStack({ env: { DIFY_API_KEY: 'app-notTheRightKey000000000' } });
    const ready = await fetch(`${stack.httpUrl}/health/ready`);
    expect(ready.status).toBe(503);
    const body = await ready.json();
    expect(body).toMatchObject({ status: 'error', error: { dify: { status: 'down' } } });
    expect(JSON.stringify(body)).not.toContain('notTheRightKey');
    expect((await fetch(`${stack.httpUrl}/health`)).status).toBe(200);
    await stack.close();
  });

  it('is not ready when Dify is unreachable, and still alive', async () => {
    const port = await freePort();
    const app = await startApp({ DIFY_API_KEY: 'app-x', DIFY_BASE_URL: `http://127.0.0.1:${port}/v1` });
    expect((await fetch(`${app.httpUrl}/health/ready`)).status).toBe(503);
    expect((await fetch(`${app.httpUrl}/health`)).status).toBe(200);
    await app.close();
  });
});
