/**
 * Talks to the service like a speech front end and shows the conversation as a live transcript:
 * what is said (partials rewritten in place), statuses dimmed, the answer streaming in, its sources.
 *
 *   npm run client -- "什么是 RAG？" ["它有什么优点？" …]   ask these, one after another, then stop
 *   npm run client -- --file transcript.txt                one utterance per line (or pipe them in)
 *   npm run client                                         interactive: type a line, Enter sends it as
 *                                                          speech; /pause /resume /ask /stop; Ctrl-D stops
 *   options: --url ws://localhost:8000/ws/realtime-asr  --session-id ID  --token T  --delay-ms 150
 *            --features sources,usage (the default; "" for the original protocol only)  --json (raw frames)
 */
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import WebSocket from 'ws';
import { speak } from './client/speech';
import { TranscriptView } from './client/transcript-view';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    url: { type: 'string', default: process.env.WS_URL ?? 'ws://localhost:8000/ws/realtime-asr' },
    file: { type: 'string', short: 'f' },
    'session-id': { type: 'string', short: 's' },
    token: { type: 'string', default: process.env.WS_TOKEN },
    'delay-ms': { type: 'string', default: '150' },
    features: { type: 'string', default: 'sources,usage' },
    json: { type: 'boolean', default: false },
  },
});

const scripted = (values.file ? readFileSync(values.file, 'utf8').split(/\r?\n/) : positionals).map((line) => line.trim()).filter(Boolean);
const interactive = scripted.length === 0 && process.stdin.isTTY;
const sessionId = values['session-id'];
const delayMs = Number(values['delay-ms']);
const view = new TranscriptView();
const CONTROLS: Record<string, string> = { '/pause': 'pause', '/resume': 'resume', '/ask': 'instant_query', '/stop': 'stop' };

const url = new URL(values.url);
if (values.features) url.searchParams.set('features', values.features);
const socket = new WebSocket(url, values.token ? { headers: { Authorization: `Bearer ${values.token}` } } : {});

/** Resolves when the server has dealt with the last final utterance (answered it, or found no question in it). */
let settled: () => void = () => undefined;
const SETTLING_STAGES = new Set(['idle', 'waiting_for_question']);

socket.on('message', (data) => {
  const message = JSON.parse((data as Buffer).toString()) as Record<string, unknown>;
  if (values.json) console.log(JSON.stringify(message));
  else view.show(message);
  if ((message.type === 'status' && SETTLING_STAGES.has(String(message.stage))) || message.type === 'error') settled();
});
socket.on('close', (code) => process.exit(code === 1000 ? 0 : 1));
socket.on('unexpected-response', (_request, response) => {
  console.error(`${values.url} refused the connection: HTTP ${response.statusCode}${response.statusCode === 401 ? ' (pass --token)' : ''}`);
  process.exit(1);
});
socket.on('error', (error) => {
  console.error(`Cannot talk to ${values.url}: ${error.message}`);
  process.exit(1);
});
socket.on('open', () => void (interactive ? converse() : recite(scripted.length ? scripted : undefined)));

/** Says one utterance and waits until the server has settled it. */
async function say(utterance: string): Promise<void> {
  const done = new Promise<void>((resolve) => (settled = resolve));
  await speak(socket, utterance, { delayMs, sessionId, onPartial: (text) => !values.json && view.partial(text) });
  if (!values.json) view.said(utterance);
  await done;
}

function control(action: string): void {
  socket.send(JSON.stringify({ type: 'control', action, session_id: sessionId }));
}

/** The given utterances (or stdin's lines) one after another, then stop: the server answers the last before closing. */
async function recite(utterances?: string[]): Promise<void> {
  const lines = utterances ?? createInterface({ input: process.stdin });
  for await (const line of lines) if (line.trim()) await say(line.trim());
  control('stop');
}

async function converse(): Promise<void> {
  console.error('Type what the speaker says; Enter sends it. /pause /resume /ask (instant_query) /stop; Ctrl-D stops.');
  const input = createInterface({ input: process.stdin, terminal: false });
  for await (const line of input) {
    const text = line.trim();
    // The terminal echoed the typed line; the transcript shows it again as speech.
    if (process.stdout.isTTY && !values.json) process.stdout.write('\x1b[1A\x1b[2K');
    if (CONTROLS[text]) control(CONTROLS[text]);
    else if (text) await say(text);
  }
  control('stop');
}
