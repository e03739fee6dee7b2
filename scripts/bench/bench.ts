/**
 * Measures what the service adds over calling Dify directly, side by side with a minimal relay, on
 * the same local Dify-compatible upstream (fast mode: first token at once, then a chunk every 2 ms).
 *   npm run bench               full run, figures to bench-results/bench.json
 *   npm run bench -- --quick    CI-sized; fails only on lost or disordered answers, never on timings
 */
import { ChildProcess, spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createParser } from 'eventsource-parser';
import WebSocket from 'ws';
import { LocalDifyServer } from '../../src/local-dify';
import { freePort } from '../../test/support/net';

const quick = process.argv.includes('--quick');
const ROUNDS = quick ? 30 : 300;
const BURST = quick ? 100 : 500;
const KEY = 'app-bench';
const QUESTION = 'What is RAG?';
const root = join(__dirname, '..', '..');

interface Answer {
  firstMs: number;
  doneMs: number;
  text: string;
  ordered: boolean;
}

async function main(): Promise<void> {
  const dify = new LocalDifyServer({ apiKeys: [KEY], firstChunkDelayMs: 0, chunkDelayMs: 2, chunkChars: 6 });
  const { baseUrl } = await dify.listen();
  const expected = await directAnswerText(baseUrl);
  const service = await startService(baseUrl);
  const relay = await startRelay(baseUrl);
  try {
    const latency = { direct: [] as number[], service: [] as number[], relay: [] as number[] };
    const serviceSocket = await connect(service.url);
    const relaySocket = await connect(relay.url);
    // Interleaved, so drift in the machine hits all three alike.
    for (let round = 0; round < ROUNDS; round++) {
      latency.direct.push(await directFirstChunk(baseUrl));
      latency.service.push((await ask(serviceSocket)).firstMs);
      latency.relay.push((await ask(relaySocket)).firstMs);
    }
    serviceSocket.close();
    relaySocket.close();
    const burst = { service: await burstOf(service.url, expected), relay: await burstOf(relay.url, expected) };
    const figures = {
      machine: { cpus: cpus().length, model: cpus()[0]?.model, node: process.version },
      rounds: ROUNDS,
      firstChunkMs: {
        direct: stats(latency.direct),
        service: stats(latency.service),
        relay: stats(latency.relay),
        addedByService: stats(latency.service.map((v, i) => v - latency.direct[i])),
        addedByRelay: stats(latency.relay.map((v, i) => v - latency.direct[i])),
      },
      burst,
    };
    mkdirSync(join(root, 'bench-results'), { recursive: true });
    writeFileSync(join(root, 'bench-results', quick ? 'bench-quick.json' : 'bench.json'), JSON.stringify(figures, null, 2));
    printTable(figures.firstChunkMs, burst);
    const broken = burst.service.lost + burst.service.disordered + burst.relay.lost + burst.relay.disordered;
    if (broken > 0) {
      console.error(`FAILED: ${broken} answers lost or out of order`);
      process.exitCode = 1;
    }
  } finally {
    service.process.kill('SIGTERM');
    relay.process.kill('SIGTERM');
    await dify.close();
  }
}

/** The answer text as Dify gives it, to check every relayed answer against. */
async function directAnswerText(baseUrl: string): Promise<string> {
  let text = '';
  await streamDirect(baseUrl, (piece) => (text += piece));
  return text;
}

function directFirstChunk(baseUrl: string): Promise<number> {
  const started = performance.now();
  let first = 0;
  return streamDirect(baseUrl, () => (first ||= performance.now() - started)).then(() => first);
}

/** The floor: an SSE client reading Dify directly. */
async function streamDirect(baseUrl: string, onText: (text: string) => void): Promise<void> {
  const response = await fetch(`${baseUrl}/chat-messages`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${KEY}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ query: QUESTION, inputs: {}, user: 'bench', response_mode: 'streaming' }),
  });
  const parser = createParser({
    onEvent: (event) => {
      const frame = event.data ? (JSON.parse(event.data) as { event: string; answer?: string }) : undefined;
      if (frame?.event === 'message') onText(frame.answer ?? '');
    },
  });
  const decoder = new TextDecoder();
  for await (const bytes of response.body as unknown as AsyncIterable<Uint8Array>) parser.feed(decoder.decode(bytes, { stream: true }));
}

function connect(url: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url);
    socket.once('open', () => resolve(socket));
    socket.once('error', reject);
  });
}

/** Asks one question on an open socket and follows its answer to the final chunk. */
function ask(socket: WebSocket): Promise<Answer> {
  return new Promise((resolve) => {
    const started = performance.now();
    let firstMs = 0;
    let text = '';
    let next = 0;
    let ordered = true;
    const onMessage = (data: WebSocket.RawData) => {
      const message = JSON.parse(data.toString()) as { type: string; stream_index: number; content: string; final: boolean };
      if (message.type !== 'answer') return;
      firstMs ||= performance.now() - started;
      ordered &&= message.stream_index === next++;
      text += message.content;
      if (!message.final) return;
      socket.off('message', onMessage);
      resolve({ firstMs, doneMs: performance.now() - started, text, ordered });
    };
    socket.on('message', onMessage);
    socket.send(JSON.stringify({ type: 'asr_chunk', text: QUESTION, is_final: true }));
  });
}

/** BURST sockets, connected first, then all asking at once. */
async function burstOf(url: string, expected: string) {
  const sockets = await Promise.all(Array.from({ length: BURST }, () => connect(url)));
  const deadline = new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), 60_000).unref());
  const answers = await Promise.all(sockets.map((socket) => Promise.race([ask(socket), deadline])));
  sockets.forEach((socket) => socket.close());
  const done = answers.filter((a): a is Answer => a !== undefined);
  return {
    sockets: BURST,
    firstChunkMs: stats(done.map((a) => a.firstMs)),
    completionMs: stats(done.map((a) => a.doneMs)),
    lost: BURST - done.length + done.filter((a) => a.text !== expected).length,
    disordered: done.filter((a) => !a.ordered).length,
  };
}

async function startService(difyUrl: string): Promise<{ process: ChildProcess; url: string }> {
  const port = await freePort();
  const child = spawn(process.execPath, [join(root, 'dist', 'main.js')], {
    env: {
      ...process.env,
      NODE_ENV: 'production',
      PORT: String(port),
      HOST: '127.0.0.1',
      DIFY_API_KEY: KEY,
      DIFY_BASE_URL: difyUrl,
      LOG_LEVEL: 'warn',
      // Measure the pipeline, not the turn-taking wait (which a deployment chooses).
      QUESTION_WAIT_MS: '0',
      QUESTION_WAIT_MS_PUNCTUATED: '0',
      RATE_LIMIT_PER_SECOND: '10000',
      MAX_CONNECTIONS_PER_IP: '100000',
      MAX_CONCURRENT_ANSWERS: '100000',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const deadline = Date.now() + 30_000;
  while (!(await fetch(`http://127.0.0.1:${port}/health`).then((r) => r.ok, () => false))) {
    if (Date.now() > deadline || child.exitCode !== null) throw new Error('the service did not start (run npm run build first)');
    await new Promise((r) => setTimeout(r, 100));
  }
  return { process: child, url: `ws://127.0.0.1:${port}/ws/realtime-asr` };
}

async function startRelay(difyUrl: string): Promise<{ process: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ['-r', 'ts-node/register', join(__dirname, 'relay.ts')], {
    cwd: root,
    env: { ...process.env, DIFY_BASE_URL: difyUrl, DIFY_API_KEY: KEY, PORT: '0' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const [line] = (await new Promise<string>((resolve) => child.stdout!.once('data', (d: Buffer) => resolve(d.toString())))).split('\n');
  const { port } = JSON.parse(line) as { port: number };
  return { process: child, url: `ws://127.0.0.1:${port}/ws/realtime-asr` };
}

function stats(values: number[]) {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
  const round = (v: number) => Math.round(v * 1000) / 1000;
  return { n: sorted.length, p50: round(at(0.5)), p99: round(at(0.99)) };
}

function printTable(first: Record<string, { p50: number; p99: number }>, burst: Record<string, ReturnType<typeof Object>>): void {
  console.log(`first answer chunk, ms (${ROUNDS} interleaved rounds)      p50      p99`);
  for (const [name, s] of Object.entries(first)) console.log(`  ${name.padEnd(40)} ${String(s.p50).padStart(8)} ${String(s.p99).padStart(8)}`);
  console.log(`burst of ${BURST} sockets asking at once`);
  for (const [name, b] of Object.entries(burst)) console.log(`  ${name.padEnd(8)} ${JSON.stringify(b)}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
