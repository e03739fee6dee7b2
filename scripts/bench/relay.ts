/**
 * The benchmark's comparison point: the same job as the service with no framework. A final
 * asr_chunk is sent to Dify as the question, and each SSE `message` becomes an `answer` chunk.
 *   DIFY_BASE_URL=… DIFY_API_KEY=… PORT=… node -r ts-node/register scripts/bench/relay.ts
 */
import { createParser } from 'eventsource-parser';
import { createServer } from 'node:http';
import { WebSocketServer } from 'ws';

const { DIFY_BASE_URL, DIFY_API_KEY, PORT = '0' } = process.env;
const server = createServer();
const wss = new WebSocketServer({ server, path: '/ws/realtime-asr' });

wss.on('connection', (socket) => {
  socket.on('message', async (data) => {
    const message = JSON.parse(data.toString()) as { type?: string; text?: string; is_final?: boolean };
    if (message.type !== 'asr_chunk' || !message.is_final || !message.text) return;
    const response = await fetch(`${DIFY_BASE_URL}/chat-messages`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${DIFY_API_KEY}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ query: message.text, inputs: {}, user: 'relay', response_mode: 'streaming' }),
    });
    let index = 0;
    const send = (content: string, final: boolean) =>
      socket.send(JSON.stringify({ type: 'answer', stream_index: index++, content, final }));
    const parser = createParser({
      onEvent: (event) => {
        if (!event.data) return;
        const frame = JSON.parse(event.data) as { event: string; answer?: string };
        if (frame.event === 'message') send(frame.answer ?? '', false);
        if (frame.event === 'message_end') send('', true);
      },
    });
    const decoder = new TextDecoder();
    for await (const bytes of response.body as unknown as AsyncIterable<Uint8Array>) parser.feed(decoder.decode(bytes, { stream: true }));
  });
});

server.listen(Number(PORT), '127.0.0.1', () => {
  const address = server.address() as { port: number };
  console.log(JSON.stringify({ port: address.port }));
});
