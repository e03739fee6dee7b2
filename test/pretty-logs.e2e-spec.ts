import { once } from 'node:events';
import { LocalDifyServer } from '../src/local-dify';
import { freePort } from './support/net';
import { ServiceOutput, spawnService } from './support/service-process';
import { waitUntil } from './support/wait-until';

const API_KEY = 'app-PrettySecretKey0123456789';
const TOKEN = 'tok-PrettySecretToken-42';

/** The service process with LOG_FORMAT=pretty, as a developer's terminal gets it (NODE_ENV development on a TTY). */
describe('pretty logs (e2e)', () => {
  it('prints one line per event, a request in short, no static file, no secret, and a line on SIGINT', async () => {
    const dify = new LocalDifyServer({ apiKeys: [API_KEY] });
    const { baseUrl } = await dify.listen();
    const port = await freePort();
    const out: ServiceOutput = { text: '' };
    const service = spawnService(
      port,
      {
        DIFY_API_KEY: API_KEY,
        DIFY_BASE_URL: baseUrl,
        AUTH_TOKENS: `acme:${TOKEN}`,
        NODE_ENV: 'development',
        LOG_LEVEL: 'log',
        LOG_FORMAT: 'pretty',
        // jest's workers may force colours on: the lines are checked as text.
        NO_COLOR: '1',
      },
      out,
    );
    try {
      await waitUntil(() => out.text.includes('realtime-rag listening'), 30_000);
      for (const path of ['/', '/demo.js', '/client/realtime-rag-client.js', `/metrics?token=${TOKEN}`])
        await fetch(`http://127.0.0.1:${port}${path}`, { headers: { Authorization: `Bearer ${TOKEN}` } });
      await waitUntil(() => out.text.includes('GET /metrics'));
      const exited = once(service, 'exit');
      service.kill('SIGINT');
      expect(await exited).toEqual([0, null]);
    } finally {
      if (service.exitCode === null) service.kill('SIGKILL');
      await dify.close();
    }

    const lines = out.text.trim().split('\n');
    for (const line of lines) expect(line).toMatch(/^\[\d\d:\d\d:\d\d\.\d{3}\] (INFO|WARN): \S/);
    expect(lines).toContainEqual(expect.stringMatching(/INFO: request completed: GET \/metrics\?token=\[redacted\] 200 in \d+ ms$/));
    expect(lines.at(-1)).toMatch(/INFO: \[Bootstrap\] SIGINT received: shutting down/);
    expect(out.text).not.toMatch(/GET \/(demo\.js|client\/\S*)? /);
    expect(out.text).not.toContain(TOKEN);
    expect(out.text).not.toContain(API_KEY);
  }, 40_000);
});
