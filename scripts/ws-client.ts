/**
 * Talks to the service like a speech front end: sends each utterance as growing partial ASR chunks
 * and then a final one, and prints statuses and the streamed answer as they arrive.
 *
 *   npm run client -- "什么是 RAG？" ["它有什么优点？" …]
 *   npm run client -- --file transcript.txt        (one utterance per line)
 *   options: --url ws://localhost:8000/ws/realtime-asr  --session-id ID  --delay-ms 150  --json
 *
 * Each utterance waits for the previous one's answer. After the last it sends control{stop}: the
 * server answers what it heard, then closes.
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import WebSocket from 'ws';

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    url: { type: 'string', default: process.env.WS_URL ?? 'ws://localhost:8000/ws/realtime-asr' },
    file: { type: 'string', short: 'f' },
    'session-id': { type: 'string', short: 's' },
    'delay-ms': { type: 'string', default: '150' },
    json: { type: 'boolean', default: false },
  },
});

const utterances = (values.file ? readFileSync(values.file, 'utf8').split(/\r?\n/) : positionals)
  .map((line) => line.trim())
  .filter(Boolean);
if (utterances.length === 0) {
  console.error('Usage: npm run client -- "什么是 RAG？"   or   npm run client -- --file transcript.txt');
  process.exit(2);
}
const delayMs = Number(values['delay-ms']);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The prefixes an ASR engine would show while the speaker talks: a few growing partials. */
function partials(text: string): string[] {
  const tokens = text.match(/[\u3400-\u9fff\uf900-\ufaff]|[^\s\u3400-\u9fff\uf900-\ufaff]+\s*|\s+/g) ?? [text];
  const steps = Math.min(3, tokens.length - 1);
  return Array.from({ length: steps }, (_, i) => tokens.slice(0, Math.ceil(((i + 1) * tokens.length) / (steps + 1))).join('').trim());
}

function show(message: Record<string, unknown>): void {
  if (values.json) {
    console.log(JSON.stringify(message));
    return;
  }
  switch (message.type) {
    case 'answer':
      process.stdout.write(message.replace ? `\n[replaced] ${message.content}` : String(message.content));
      if (message.final) process.stdout.write(message.finish_reason === 'complete' ? '\n' : ` [${message.finish_reason}]\n`);
      break;
    case 'status':
      console.log(`\x1b[2m[${message.stage}]${message.question ? ` ${message.question}` : ''}\x1b[0m`);
      break;
    case 'error':
      console.log(`\x1b[31m[error ${message.code}] ${message.message}\x1b[0m`);
      break;
    case 'ack':
      if (message.message === 'connected') console.log(`\x1b[2m[connected, session ${message.session_id}]\x1b[0m`);
      break;
  }
}

/** Resolves when the server has dealt with the last final utterance (answered it, or decided it was no question). */
let settled: () => void = () => undefined;
const SETTLING_STAGES = new Set(['idle', 'waiting_for_question']);

const socket = new WebSocket(values.url!);
socket.on('message', (data) => {
  const message = JSON.parse(data.toString()) as Record<string, unknown>;
  show(message);
  if ((message.type === 'status' && SETTLING_STAGES.has(String(message.stage))) || message.type === 'error') settled();
});
socket.on('close', (code) => process.exit(code === 1000 ? 0 : 1));
socket.on('error', (error) => {
  console.error(`Cannot talk to ${values.url}: ${error.message}`);
  process.exit(1);
});
socket.on('open', async () => {
  const session_id = values['session-id'];
  for (const [index, utterance] of utterances.entries()) {
    for (const text of partials(utterance)) {
      socket.send(JSON.stringify({ type: 'asr_chunk', text, is_final: false, session_id }));
      await sleep(delayMs);
    }
    const done = new Promise<void>((resolve) => (settled = resolve));
    socket.send(JSON.stringify({ type: 'asr_chunk', text: utterance, is_final: true, session_id }));
    // The last one is followed by stop at once: the server still answers it before closing.
    if (index < utterances.length - 1) await done;
  }
  socket.send(JSON.stringify({ type: 'control', action: 'stop', session_id }));
});
