import { AckMessage, AnswerMessage, FinishReason, OutboundMessage, Stage, StatusMessage } from '../protocol';

/** An answer chunk as the hub hands it out: each connection's Outbox numbers an answer's chunks as it writes them. */
export type AnswerChunk = Omit<AnswerMessage, 'stream_index'>;

/**
 * The one vocabulary a room publishes to its members, tagged by `type`: answer chunks (text, a
 * `replace`, the `final` one), status, error, and the opt-in extras (sources, usage, progress, audio,
 * suggested). It is the protocol's own (minus the ack, which only a connection sends), so what the
 * answer log keeps for other instances and what a socket writes are the same shape.
 */
export type SessionMessage = Exclude<OutboundMessage, AnswerMessage | AckMessage> | AnswerChunk;

/** A status message of a session (absent extras left out). */
export function statusMessage(stage: Stage, sessionId: string, extra: Partial<StatusMessage> = {}): StatusMessage {
  return { type: 'status', stage, ...withoutUndefined(extra), session_id: sessionId };
}

/** The last chunk of an answer, saying how it ended: the one place it is built. */
export function finalChunk(answerId: string, sessionId: string, reason: FinishReason): AnswerChunk {
  return { type: 'answer', content: '', final: true, finish_reason: reason, answer_id: answerId, session_id: sessionId };
}

/** Absent, not `"field": null`: the protocol's optional fields are left out when unknown. */
export function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
