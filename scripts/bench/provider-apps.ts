/**
 * The first-chunk overhead of an `openai` app beside a `dify` app, through the service: one service
 * with both apps on the same local server (it speaks Dify's chat-messages and the OpenAI-compatible
 * chat completions from one knowledge base, paced alike), a socket per app, interleaved rounds so a
 * busy machine weighs on both alike. The floor of each is a direct SSE client of its route; the
 * overhead is the service's first chunk minus that floor.
 */
import { performance } from 'node:perf_hooks';
import { createParser } from 'eventsource-parser';
import WebSocket from 'ws';
import { LocalDifyServer } from '../../src/local-dify';
import { ask, closeAll, connect, directFirstChunk, QUESTION } from './clients';
import { Placement, startService } from './processes';
import { stats, Stats } from './stats';

const KEY = 'app-bench';

export interface ProviderAppFigures {
  rounds: number;
  /** First answer chunk (ms): through the service, and a direct client of the app's route (the floor). */
  dify: { service: Stats; direct: Stats };
  openai: { service: Stats; direct: Stats };
}

/** The floor for the openai app: time to the first content delta of a direct streamed chat completion. */
async function directOpenAiFirstChunk(baseUrl: string): Promise<number> {
  const started = performance.now();
  const response = await fetch(`${baseUrl}/chat/completions`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${KEY}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ model: 'local-rag', stream: true, messages: [{ role: 'user', content: QUESTION }] }),
  });
  let first = 0;
  const parser = createParser({
    onEvent: ({ data }) => {
      if (first || data === '[DONE]') return;
      const chunk = JSON.parse(data) as { choices?: Array<{ delta?: { content?: string } }> };
      if (chunk.choices?.[0]?.delta?.content) first = performance.now() - started;
    },
  });
  const decoder = new TextDecoder();
  for await (const bytes of response.body as unknown as AsyncIterable<Uint8Array>) parser.feed(decoder.decode(bytes, { stream: true }));
  return first;
}

export async function providerAppFigures(placement: Placement, rounds: number): Promise<ProviderAppFigures> {
  // Paced like a fast model, as the main run's first-chunk figure: first token at once, a chunk every 2 ms.
  const local = new LocalDifyServer({ apiKeys: [KEY], firstChunkDelayMs: 0, chunkDelayMs: 2, chunkChars: 6, record: false });
  const { baseUrl } = await local.listen();
  const apps = {
    dify: { base_url: baseUrl, api_key: KEY },
    // No history: every round's request the same size as Dify's.
    openai: { provider: 'openai', base_url: baseUrl, api_key: KEY, model: 'local-rag', history_turns: 0 },
  };
  const service = await startService(baseUrl, KEY, placement, { APPS: JSON.stringify(apps), DEFAULT_APP: 'dify' }, 'providers');
  const sockets: WebSocket[] = [];
  try {
    const dify = await connect(`${service.url}?app=dify`);
    const openai = await connect(`${service.url}?app=openai`);
    sockets.push(dify, openai);
    const times = { difyService: [] as number[], difyDirect: [] as number[], openaiService: [] as number[], openaiDirect: [] as number[] };
    // 20 warm-up rounds, not counted.
    for (let round = 0; round < rounds + 20; round++) {
      const counted = round >= 20;
      const measured = [
        (await ask(dify)).firstMs,
        await directFirstChunk(baseUrl, KEY),
        (await ask(openai)).firstMs,
        await directOpenAiFirstChunk(baseUrl),
      ];
      if (!counted) continue;
      times.difyService.push(measured[0]);
      times.difyDirect.push(measured[1]);
      times.openaiService.push(measured[2]);
      times.openaiDirect.push(measured[3]);
    }
    return {
      rounds,
      dify: { service: stats(times.difyService), direct: stats(times.difyDirect) },
      openai: { service: stats(times.openaiService), direct: stats(times.openaiDirect) },
    };
  } finally {
    await closeAll(sockets);
    service.stop();
    await local.close();
  }
}

export function printProviderApps({ rounds, ...apps }: ProviderAppFigures): void {
  console.log(`first answer chunk (ms) of a dify and an openai app in one service, ${rounds} interleaved rounds`);
  const row = (...cells: (string | number)[]) => console.log(cells.map((c, i) => String(c).padStart(i ? 14 : 8)).join(''));
  row('app', 'service p50', 'p99', 'direct p50', 'p99', 'overhead p50');
  for (const [name, { service, direct }] of Object.entries(apps))
    row(name, service.p50, service.p99, direct.p50, direct.p99, Math.round((service.p50 - direct.p50) * 1000) / 1000);
}
