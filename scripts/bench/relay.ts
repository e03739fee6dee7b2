/**
 * The benchmark's comparison point: the service's job with no framework, speaking the same protocol
 * a client sees on a question (ack{connected}, status{listening}; per chunk an ack; for a final one
 * status analyzing and querying_rag, each SSE `message` as an `answer` chunk, the final chunk,
 * status idle). No question detection, sessions, limits or error handling.
 *   DIFY_BASE_URL=… DIFY_API_KEY=… PORT=… node -r ts-node/register scripts/bench/relay.ts
 */
import { createParser } from 'eventsource-parser';
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { RawData, WebSocketServer } from 'ws';

const { DIFY_BASE_URL, DIFY_API_KEY, PORT = '0' } = process.env;
const server = createServer();
const wss = new WebSocketServer({ server, path: '/ws/realtime-asr' });

wss.on('connection', (socket) => {
  const session_id = randomUUID();
  const send = (message: object) => socket.send(JSON.stringify({ ...message, session_id }));
  send({ type: 'ack', message: 'connected' });
  send({ type: 'status', stage: 'listening' });
  socket.on('message', (data) => void relay(data));
  async function relay(data: RawData): Promise<void> {
    const message = JSON.parse((data as Buffer).toString()) as { type?: string; text?: string; is_final?: boolean };
    send({ type: 'ack', received_type: message.type, is_final: message.is_final });
    if (message.type !== 'asr_chunk' || !message.is_final || !message.text) return;
    send({ type: 'status', stage: 'analyzing', question: message.text });
    send({ type: 'status', stage: 'querying_rag' });
    const response = await fetch(`${DIFY_BASE_URL}/chat-messages`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${DIFY_API_KEY}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ query: message.text, inputs: {}, user: session_id, response_mode: 'streaming' }),
    });
    let index = 0;
    const parser = createParser({
      onEvent: (event) => {
        if (!event.data) return;
        const frame = JSON.parse(event.data) as { event: string; answer?: string };
        if (frame.event === 'message') send({ type: 'answer', stream_index: index++, content: frame.answer ?? '', final: false });
        if (frame.event !== 'message_end') return;
        send({ type: 'answer', stream_index: index++, content: '', final: true, finish_reason: 'complete' });
        send({ type: 'status', stage: 'idle' });
      },
    });
    const decoder = new TextDecoder();
    for await (const bytes of response.body as unknown as AsyncIterable<Uint8Array>) parser.feed(decoder.decode(bytes, { stream: true }));
  }
});

server.listen(Number(PORT), '127.0.0.1', () => {
  const address = server.address() as { port: number };
  console.log(JSON.stringify({ port: address.port }));
});
