import type { ServerResponse } from 'node:http';
import { LocalDifyFault } from './local-dify.types';
import { FinalStep, MessageGeneration } from './message-generation';
import { SseStyle, SseWriter } from './sse-writer';

/** How one platform (OpenAI-compatible, RAGFlow, FastGPT) frames a generation. */
export interface PlatformFrames {
  /** Frames before the first text (FastGPT's node status). */
  opening?(writer: SseWriter): Promise<void>;
  text(writer: SseWriter, text: string, answerSoFar: string): Promise<void>;
  /** The closing frames of a completed (or stopped) answer. */
  end(writer: SseWriter, answer: string): Promise<void>;
  /** A generation that failed (`error-event` fault). */
  error(writer: SseWriter, step: Extract<FinalStep, { kind: 'error' }>): Promise<void>;
}

/** What became of one streamed reply of a local platform server. */
export type PlatformOutcome = 'completed' | 'client-closed' | 'fault';

/**
 * Streams a generation as `frames` say, with the fault of this reply (`cut`: the end after that
 * many texts; `hang`: headers and nothing more). A client that goes stops the generation: these
 * platforms stop generating when their HTTP client goes (none has a stop call the service uses).
 */
export async function streamPlatformReply(
  res: ServerResponse,
  generation: MessageGeneration,
  frames: PlatformFrames,
  style: SseStyle,
  fault?: LocalDifyFault,
): Promise<PlatformOutcome> {
  res.writeHead(200, { 'Content-Type': 'text/event-stream; charset=utf-8', 'Cache-Control': 'no-cache', Connection: 'keep-alive' });
  res.once('close', () => generation.stop());
  const writer = new SseWriter(res, style);
  if (fault?.kind === 'hang') {
    res.flushHeaders();
    await new Promise((resolve) => res.once('close', resolve));
    return 'client-closed';
  }
  await frames.opening?.(writer);
  let texts = 0;
  let answer = '';
  const cutAfter = fault?.kind === 'cut' ? fault.afterChunks : Infinity;
  for await (const step of generation.read()) {
    if (!writer.open) return 'client-closed';
    if (step.kind === 'text') {
      if (texts++ >= cutAfter) break;
      answer += step.text;
      await frames.text(writer, step.text, answer);
    } else if (step.kind === 'error') {
      await frames.error(writer, step);
    } else if (step.kind === 'end') {
      await frames.end(writer, step.answer);
    }
  }
  if (!writer.open) return 'client-closed';
  await writer.end();
  return fault ? 'fault' : 'completed';
}
