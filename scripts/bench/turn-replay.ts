/** Replays one corpus turn on its own WebSocket connection and records what the client saw, when. */
import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';
import { closeAll, connect } from './clients';
import { Turn } from './turns-corpus';

/** One answer as the client saw it (keyed by its answer_id). */
export interface AnswerSeen {
  /** The question its status{querying_rag} named. */
  question?: string;
  /** When its first chunk with text arrived. */
  firstTextAt?: number;
  /** When its final chunk arrived, and why it ended. */
  endedAt?: number;
  finishReason?: string;
}

/** What the client saw of a turn; times in ms on this process's clock (performance.now). */
export interface Observation {
  /** When each of the turn's events was sent (undefined: never, as no answer came for a backchannel to follow). */
  sentAt: Array<number | undefined>;
  answers: Record<string, AnswerSeen>;
  /** A status{interrupting} came: an answer was cut by a newer question. */
  interrupting: boolean;
}

interface Incoming {
  type: string;
  stage?: string;
  question?: string;
  answer_id?: string;
  content?: string;
  final?: boolean;
  finish_reason?: string;
}

/** A turn is over this long after its last event with no answer open, or at the time limit. */
export interface ReplayTiming {
  settleMs: number;
  limitMs: number;
}

const POLL_MS = 20;

/**
 * Sends the turn's asr_chunks at their times (an `afterAnswer` event after the first answer text) with
 * the turn's session_id, and follows every answer to its final chunk; resolves once the turn is over.
 */
export async function replay(url: string, turn: Turn, sessionId: string, timing: ReplayTiming): Promise<Observation> {
  const socket = await connect(url);
  const observation: Observation = { sentAt: turn.events.map(() => undefined), answers: {}, interrupting: false };
  const open = new Set<string>();
  const timers: NodeJS.Timeout[] = [];
  let sent = 0;
  let heard = false;
  /** Times the events said before the answer (`afterAnswer` false) or while it streams from `from`. */
  const sendFrom = (from: number, afterAnswer: boolean) =>
    turn.events.forEach((event, i) => {
      if (!!event.afterAnswer !== afterAnswer) return;
      const send = () => {
        observation.sentAt[i] = performance.now();
        sent++;
        socket.send(JSON.stringify({ type: 'asr_chunk', text: event.text, is_final: event.isFinal, session_id: sessionId }));
      };
      timers.push(setTimeout(send, Math.max(0, from + event.at - performance.now())));
    });
  socket.on('message', (data: WebSocket.RawData) => {
    const message = JSON.parse((data as Buffer).toString()) as Incoming;
    const now = performance.now();
    if (message.type === 'status' && message.stage === 'interrupting') observation.interrupting = true;
    if (!message.answer_id) return;
    const answer = (observation.answers[message.answer_id] ??= {});
    if (message.type === 'status' && message.stage === 'querying_rag') {
      answer.question = message.question;
      open.add(message.answer_id);
    }
    if (message.type !== 'answer') return;
    if (message.content && answer.firstTextAt === undefined) {
      answer.firstTextAt = now;
      // The turn's first answer text: what a listener's backchannel follows.
      if (!heard) sendFrom(now, true);
      heard = true;
    }
    if (message.final) {
      answer.endedAt = now;
      answer.finishReason = message.finish_reason;
      open.delete(message.answer_id);
    } else {
      open.add(message.answer_id);
    }
  });
  const started = performance.now();
  sendFrom(started, false);
  await new Promise<void>((resolve) => {
    const poll = setInterval(() => {
      const now = performance.now();
      const lastSent = Math.max(...observation.sentAt.map((at) => at ?? 0));
      // Every event timed so far was sent, no answer is open, and the service had its time to react.
      const over = sent === timers.length && open.size === 0 && now - lastSent >= timing.settleMs;
      if (over || now - started > timing.limitMs) {
        clearInterval(poll);
        resolve();
      }
    }, POLL_MS);
  });
  for (const timer of timers) clearTimeout(timer);
  await closeAll([socket]);
  return observation;
}
