/**
 * Talks to the service like a speech front end and shows the conversation as a live transcript:
 * what is said (partials rewritten in place), statuses dimmed, the answer streaming in, its sources.
 * Through the client library (client/src): a dropped connection is reconnected and the answer
 * resumed where it was.
 *
 *   npm run client -- "什么是 RAG？" ["它有什么优点？" …]   ask these, one after another, then stop (and exit,
 *                                                          whether the server closes or keeps the
 *                                                          session: STOP_MODE close or reset)
 *   npm run client -- --file transcript.txt                one utterance per line (or pipe them in)
 *   npm run client                                         interactive: type a line, Enter sends it as
 *                                                          speech; /pause /resume /ask /stop; Ctrl-D stops
 *   options: --url URL (default: env WS_URL, else the service that PORT, HOST and WS_PATH describe, as in
 *            .env too: ws://localhost:8000/ws/realtime-asr)  --session-id ID  --token T  --delay-ms 150
 *            --features sources,usage (the default; "" for the original protocol only)  --json (raw frames)
 *            --app NAME (one of the deployment's APPS; DEFAULT_APP without it)
 */
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import WebSocket from 'ws';
import { RealtimeRagClient, speak, Wire } from '../client/src/realtime-rag-client.ts';
import { serviceWsUrl } from './client/service-url';
import { TranscriptView } from './client/transcript-view';
import { loadDotEnv } from './cli';

// To dial where the service listens.
loadDotEnv();

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    url: { type: 'string', default: process.env.WS_URL ?? serviceWsUrl(process.env) },
    file: { type: 'string', short: 'f' },
    'session-id': { type: 'string', short: 's' },
    token: { type: 'string', default: process.env.WS_TOKEN },
    'delay-ms': { type: 'string', default: '150' },
    features: { type: 'string', default: 'sources,usage' },
    json: { type: 'boolean', default: false },
    app: { type: 'string' },
  },
});

const scripted = (values.file ? readFileSync(values.file, 'utf8').split(/\r?\n/) : positionals).map((line) => line.trim()).filter(Boolean);
const interactive = scripted.length === 0 && process.stdin.isTTY;
const delayMs = Number(values['delay-ms']);
const view = new TranscriptView();
const CONTROLS: Record<string, Wire.Control['action']> = {
  '/pause': 'pause',
  '/resume': 'resume',
  '/ask': 'instant_query',
};

/** `?app=` chooses the app at the upgrade, so every reconnect asks the same one. */
function withApp(url: string, app: string | undefined): string {
  if (!app) return url;
  const address = new URL(url);
  address.searchParams.set('app', app);
  return address.toString();
}

const client = new RealtimeRagClient({
  url: withApp(values.url, values.app),
  token: values.token,
  tokenIn: 'header',
  sessionId: values['session-id'],
  // Unknown names are the server's to ignore.
  features: values.features.split(',').filter(Boolean) as Wire.Feature[],
  WebSocket,
});

/** Resolves when the server has dealt with the last final utterance (answered it, or found no question in it). */
let settled: () => void = () => undefined;
const SETTLING_STAGES = new Set(['idle', 'waiting_for_question']);
let started = false;
/** The client sent its stop: the connection's end is the one asked for. */
let stopping = false;

client.on('message', (message) => {
  if (values.json) console.log(JSON.stringify(message));
  else if (message.type !== 'answer' && message.type !== 'ack') view.show(message);
  if ((message.type === 'status' && SETTLING_STAGES.has(message.stage)) || message.type === 'error') settled();
});
client.on('answer', (update) => !values.json && view.answer(update));
client.on('connection', (change) => {
  if (change.state === 'reconnecting' && !change.everOpened) {
    console.error(`Cannot connect to ${values.url} (${change.ended?.code}): is the service running there?`);
    process.exit(1);
  }
  if (values.json) console.error(`connection ${change.state}${change.ended ? ` (${change.ended.code})` : ''}`);
  else view.connection(change, client.sessionId);
  if (change.state === 'closed') {
    // 1000: the server closed the session after control{stop}, as asked.
    if (stopping || change.ended?.code === 1000) process.exit(0);
    console.error(`${values.url}: ${change.why}${change.ended?.httpStatus === 401 ? ' (pass --token)' : ''}`);
    process.exit(1);
  }
  if (change.state === 'open' && !started) {
    started = true;
    void (interactive ? converse() : recite(scripted.length ? scripted : undefined));
  }
});

/** Says one utterance and waits until the server has settled it. */
async function say(utterance: string): Promise<void> {
  const done = new Promise<void>((resolve) => (settled = resolve));
  await speak(client, utterance, { delayMs, onPartial: (text) => !values.json && view.partial(text) });
  if (!values.json) view.said(utterance);
  await done;
}

/** The given utterances (or stdin's lines) one after another, then stop. */
async function recite(utterances?: string[]): Promise<void> {
  const lines = utterances ?? createInterface({ input: process.stdin });
  for await (const line of lines) if (line.trim()) await say(line.trim());
  await stop();
}

/** Stops, waits until the server has (closed the session, or reset it and kept the connection: STOP_MODE), and exits. */
async function stop(): Promise<never> {
  stopping = true;
  await client.stop();
  client.close();
  process.exit(0);
}

async function converse(): Promise<void> {
  console.error('Type what the speaker says; Enter sends it. /pause /resume /ask (instant_query) /stop; Ctrl-D stops.');
  const input = createInterface({ input: process.stdin, terminal: false });
  for await (const line of input) {
    const text = line.trim();
    // The terminal echoed the typed line; the transcript shows it again as speech.
    if (process.stdout.isTTY && !values.json) process.stdout.write('\x1b[1A\x1b[2K');
    // A /stop ends the conversation here, whatever the server's STOP_MODE.
    if (text === '/stop') break;
    if (CONTROLS[text]) client.control(CONTROLS[text]);
    else if (text) await say(text);
  }
  await stop();
}
