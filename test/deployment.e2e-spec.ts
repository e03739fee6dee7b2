import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';

/** No Docker engine runs here: these check the deployment files' structure instead of running them. */
const root = join(__dirname, '..');
const read = (file: string) => readFileSync(join(root, file), 'utf8');

interface ComposeService {
  build?: string | { context: string; target?: string };
  ports?: string[];
  environment?: Record<string, string>;
  healthcheck?: { test: string[] };
  profiles?: string[];
  command?: string[];
}

describe('deployment files', () => {
  const compose = parse(read('docker-compose.yml')) as { services: Record<string, ComposeService> };
  const dockerfile = read('Dockerfile');

  it('docker-compose.yml runs the service on port 8000 with a Dify configuration from the environment', () => {
    const service = compose.services['realtime-rag'];
    expect(service.build).toBe('.');
    expect(service.ports).toContain('${PORT:-8000}:8000');
    expect(Object.keys(service.environment ?? {})).toEqual(expect.arrayContaining(['DIFY_API_KEY', 'DIFY_BASE_URL', 'DIFY_TIMEOUT']));
  });

  it('shares sessions through a Redis service the app waits for', () => {
    const service = compose.services['realtime-rag'] as ComposeService & { depends_on?: Record<string, { condition: string }> };
    expect(service.environment?.REDIS_URL).toBe('redis://redis:6379');
    expect(service.depends_on?.redis).toEqual({ condition: 'service_healthy' });
    expect(compose.services.redis.healthcheck?.test).toEqual(['CMD', 'redis-cli', 'ping']);
  });

  it('checks our services\' health with Node, not curl, against /health', () => {
    for (const service of [compose.services['realtime-rag'], compose.services['local-dify']]) {
      const test = service.healthcheck?.test ?? [];
      expect(test.slice(0, 2)).toEqual(['CMD', 'node']);
      expect(test.join(' ')).not.toMatch(/curl|wget/);
    }
    expect(compose.services['realtime-rag'].healthcheck?.test.join(' ')).toContain('/health');
    expect(dockerfile).toMatch(/HEALTHCHECK[\s\S]*CMD \["node", "-e", "fetch\('http:\/\/127\.0\.0\.1:'/);
  });

  it('offers the local Dify-compatible server as an optional profile whose command the build produces', () => {
    const local = compose.services['local-dify'];
    expect(local.profiles).toEqual(['local-dify']);
    const script = local.command?.find((part) => part.startsWith('dist/'));
    expect(script).toBeDefined();
    expect(existsSync(join(root, script!.replace(/^dist\//, 'src/').replace(/\.js$/, '.ts')))).toBe(true);
  });

  it('the Dockerfile builds in one stage and runs the compiled service in a slim non-root one', () => {
    const stages = dockerfile.match(/^FROM .+$/gm) ?? [];
    expect(stages).toHaveLength(2);
    expect(stages[0]).toMatch(/ AS build$/);
    expect(dockerfile).toMatch(/RUN npm ci/);
    expect(dockerfile).toMatch(/RUN npm run build/);
    expect(dockerfile).toMatch(/^USER node$/m);
    expect(dockerfile).toMatch(/^CMD \["node", "dist\/main"\]$/m);
    expect(read('.dockerignore')).toMatch(/^node_modules$/m);
  });
});
