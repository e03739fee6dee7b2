import type { ServerResponse } from 'node:http';
import { LocalDifyFault } from './local-dify.types';
import { MessageGeneration } from './message-generation';
import { ReplyEvents } from './reply-events';
import { synthesize } from './speech';
import { SseStyle, SseWriter } from './sse-writer';

/** What one streamed reply delivers: a generation's steps, shaped by the reply's own fault. */
export interface StreamedReply {
  generation: MessageGeneration;
  events: ReplyEvents;
  /** `hang`: only pings; `cut`: the end after that many text events; the others are the generation's. */
  fault?: LocalDifyFault;
  /** Called for each text event written. */
  sent: () => void;
}

export interface StreamStyle extends SseStyle {
  pingIntervalMs: number;
  /** A ping before any event, as Dify's chatflow relay sends. */
  pingFirst: boolean;
  /** Read the answer aloud: `tts_message` events after the closing ones, then `tts_message_end`. */
  tts: boolean;
}

/** Audio bytes per `tts_message` event. */
const SPEECH_PIECE_BYTES = 8192;

/**
 * One reader of a generation: writes it to an HTTP response as Dify's SSE events, from its first
 * step, as fast as the generation goes or the client reads, whichever is slower. Writing stops when
 * the client goes; the generation does not. Resolves true once the reply ended, false if the client
 * went first.
 */
export async function streamReply(res: ServerResponse, reply: StreamedReply, style: StreamStyle): Promise<boolean> {
  const { generation, events, fault } = reply;
  res.writeHead(200, { 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-cache', Connection: 'keep-alive' });
  const writer = new SseWriter(res, style);
  const pings = setInterval(() => void writer.ping(), style.pingIntervalMs);
  res.once('close', () => clearInterval(pings));

  if (style.pingFirst || fault?.kind === 'hang') await writer.ping();
  if (fault?.kind === 'hang') return false; // pings until the client gives up
  for (const event of events.opening()) await writer.data(event);
  let texts = 0;
  const cutAfter = fault?.kind === 'cut' ? fault.afterChunks : Infinity;
  for await (const step of generation.read()) {
    if (!writer.open) return false;
    if (step.kind === 'text') {
      if (texts >= cutAfter) break;
      await writer.data(events.text(step.text));
      texts++;
      reply.sent();
    } else if (step.kind === 'replace') {
      await writer.data(events.replace(step.answer));
    } else if (step.kind === 'error') {
      await writer.data(events.error(step.status, step.code, step.message));
    } else {
      for (const event of events.closing(step.answer, step.latency)) await writer.data(event);
      if (style.tts) await speak(writer, events, step.answer);
    }
  }
  if (!writer.open) return false;
  await writer.end();
  return true;
}

async function speak(writer: SseWriter, events: ReplyEvents, answer: string): Promise<void> {
  const { audio } = await synthesize(answer);
  for (let start = 0; start < audio.length; start += SPEECH_PIECE_BYTES) {
    await writer.data(events.speech(audio.subarray(start, start + SPEECH_PIECE_BYTES).toString('base64')));
  }
  await writer.data(events.speechEnd());
}
