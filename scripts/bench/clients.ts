/** The benchmark's clients: a direct SSE client of Dify (the floor) and a WebSocket speech front end. */
import { once } from 'node:events';
import { performance } from 'node:perf_hooks';
import { createParser } from 'eventsource-parser';
import WebSocket from 'ws';

export const QUESTION = 'What is RAG?';

export interface Answer {
  firstMs: number;
  doneMs: number;
  text: string;
  ordered: boolean;
}

/** The floor: an SSE client reading Dify directly; calls onText for each answer piece. */
export async function streamDirect(baseUrl: string, key: string, onText: (text: string) => void): Promise<void> {
  const response = await fetch(`${baseUrl}/chat-messages`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/json' },
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

export async function directFirstChunk(baseUrl: string, key: string): Promise<number> {
  const started = performance.now();
  let first = 0;
  await streamDirect(baseUrl, key, () => (first ||= performance.now() - started));
  return first;
}

export function connect(url: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url);
    socket.once('open', () => resolve(socket));
    socket.once('error', reject);
  });
}

/** Opens `count` sockets, `parallel` at a time (10,000 at once would only measure the accept queue). */
export async function connectMany(url: string, count: number, parallel = 200): Promise<WebSocket[]> {
  const sockets: WebSocket[] = [];
  while (sockets.length < count) {
    const batch = Math.min(parallel, count - sockets.length);
    sockets.push(...(await Promise.all(Array.from({ length: batch }, () => connect(url)))));
  }
  return sockets;
}

/** Asks one question on an open socket and follows its answer to the final chunk. */
export function ask(socket: WebSocket, question = QUESTION): Promise<Answer> {
  return new Promise((resolve) => {
    const started = performance.now();
    let firstMs = 0;
    let text = '';
    let next = 0;
    let ordered = true;
    const onMessage = (data: WebSocket.RawData) => {
      const message = JSON.parse((data as Buffer).toString()) as { type: string; stream_index: number; content: string; final: boolean };
      if (message.type !== 'answer') return;
      firstMs ||= performance.now() - started;
      ordered &&= message.stream_index === next++;
      text += message.content;
      if (!message.final) return;
      socket.off('message', onMessage);
      resolve({ firstMs, doneMs: performance.now() - started, text, ordered });
    };
    socket.on('message', onMessage);
    socket.send(JSON.stringify({ type: 'asr_chunk', text: question, is_final: true }));
  });
}

/** Closes sockets and waits until every one has closed. */
export async function closeAll(sockets: WebSocket[]): Promise<void> {
  await Promise.all(
    sockets.map(async (socket) => {
      if (socket.readyState === WebSocket.CLOSED) return;
      const closed = once(socket, 'close');
      socket.close();
      await closed;
    }),
  );
}
