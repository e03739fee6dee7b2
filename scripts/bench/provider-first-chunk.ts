/**
 * The first-chunk overhead of each provider's adapter: from subscribing to `ask` to its first answer
 * text, against local servers that answer at once (no model delay), so what is measured is the
 * adapter, the HTTP call and the SSE parsing. Interleaved rounds, so a busy machine weighs on all
 * alike. The service's own path (gateway, rooms, answer log) comes on top, the same for every provider.
 *
 *   npx ts-node scripts/bench/provider-first-chunk.ts [--rounds 300]
 */
import { HttpService } from '@nestjs/axios';
import axios from 'axios';
import { parseArgs } from 'node:util';
import { filter, firstValueFrom } from 'rxjs';
import { DifyClient, DifySettings } from '../../src/dify';
import { LocalDifyServer, LocalFastGptServer, LocalRagflowServer } from '../../src/local-dify';
import { ShutdownSequence, ShutdownState } from '../../src/lifecycle';
import { InMemorySessionStore, SessionRecords } from '../../src/session';
import { createUpstream, parseProviderSettings, Upstream, UpstreamLimits } from '../../src/upstream';
import { stats } from './stats';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '300' } } });
const LIMITS: UpstreamLimits = {
  timeoutMs: 30_000,
  firstTokenTimeoutMs: 30_000,
  totalTimeoutMs: 60_000,
  retries: 0,
  retryBaseMs: 250,
  maxEventChars: 8 << 20,
};
const PACE = { chunkDelayMs: 0, firstChunkDelayMs: 0 };

async function main(): Promise<void> {
  const dify = new LocalDifyServer({ ...PACE, record: false });
  const ragflow = new LocalRagflowServer(PACE);
  const fastgpt = new LocalFastGptServer(PACE);
  const [d, r, f] = await Promise.all([dify.listen(), ragflow.listen(), fastgpt.listen()]);
  const http = axios.create({ maxRedirects: 0 });
  const sessions = new SessionRecords(new InMemorySessionStore(60_000, 10));
  const shutdown = new ShutdownState();
  const deps = { http, limits: LIMITS, sessions };
  const settings = new DifySettings(LIMITS, { baseUrl: d.baseUrl, apiKey: 'app-local-dify', embedded: false }, {});
  const upstreams: Record<string, Upstream> = {
    dify: createUpstream(parseProviderSettings('d', {}), {
      ...deps,
      dify: new DifyClient(new HttpService(http), settings, shutdown, new ShutdownSequence(shutdown, { shutdownGraceMs: 0 })),
    }),
    openai: createUpstream(
      parseProviderSettings('o', { provider: 'openai', base_url: d.baseUrl, api_key: 'app-local-dify', model: 'm', history_turns: 0 }),
      deps,
    ),
    ragflow: createUpstream(
      parseProviderSettings('r', { provider: 'ragflow', base_url: r.baseUrl, api_key: 'local-key', chat_id: 'local-chat' }),
      deps,
    ),
    fastgpt: createUpstream(parseProviderSettings('f', { provider: 'fastgpt', base_url: f.baseUrl, api_key: 'local-key' }), deps),
  };
  const times: Record<string, number[]> = Object.fromEntries(Object.keys(upstreams).map((name) => [name, []]));
  const rounds = Number(values.rounds);
  for (let round = 0; round < rounds + 20; round++) {
    for (const [name, upstream] of Object.entries(upstreams)) {
      const started = performance.now();
      await firstValueFrom(upstream.ask({ query: 'What is RAG?', user: `bench:${round}` }).pipe(filter((e) => e.kind === 'text')));
      // The first 20 rounds warm up connections and the JIT.
      if (round >= 20) times[name].push(performance.now() - started);
    }
  }
  for (const [name, ms] of Object.entries(times)) console.log(`${name.padEnd(8)} first chunk ms ${JSON.stringify(stats(ms))}`);
  await Promise.all([dify.close(), ragflow.close(), fastgpt.close()]);
}

void main();
