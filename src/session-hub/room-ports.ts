import { Observable } from 'rxjs';
import { Feature, ProtocolError, Stage, StatusMessage } from '../protocol';
import { AnswerUpstream } from './answer-log';
import { SessionMessage } from './session-message';

/** A connection in a session's room, as the room sees it: what it opted into, and where the session's messages reach it. */
export interface RoomMember {
  /** The opt-in protocol additions this connection asked for (sources, usage). */
  features(): readonly Feature[];
  receive(message: SessionMessage): void;
  /** Tells its client nothing (not even acks) until `ready` settles; then all of it, in order. */
  holdUntil(ready: Promise<void>): void;
}

/** The session's answering as its room sees it (the conversation's Answering): one answer at a time, whoever asked. */
export interface RoomAnswering {
  /** Whether an answer streams or a question waits for one. */
  readonly busy: boolean;
  /** The id of the answer streaming now. */
  readonly current: string | undefined;
  /** Stops the answer upstream and forgets a waiting question; `closeInterrupted`: its final chunk still goes out. */
  cancel(closeInterrupted: boolean): void;
}

/** What the session's answering tells its room: the answers' messages, to every connection of the session. */
export interface AnswerOutlet {
  readonly principal: string;
  readonly app: string;
  readonly sessionId: string;
  /** An answer starts: what follows, up to its final chunk, belongs to it. */
  begin(answerId: string): void;
  /** The answer started last was taken back before any of it was sent: it never existed for the client. */
  withdraw(answerId: string): void;
  /** Where the upstream keeps the answer, as its first event said. */
  upstream(answerId: string, upstream: AnswerUpstream): void;
  /** To every connection; with `feature`, to those that opted into it. */
  send(message: SessionMessage, feature?: Feature): void;
  /** Whether any connection opted into `feature` (so the work it needs is worth doing). */
  wants(feature: Feature): boolean;
  status(stage: Stage, extra?: Partial<StatusMessage>): void;
  fail(error: ProtocolError): void;
  /** No answer streams and none waits. */
  settled(): void;
}

/** An answer as the upstream saved it, cut at MAX_ANSWER_CHARS (`cut`) when longer. */
export interface SavedAnswer {
  text: string;
  cut: boolean;
}

/** The upstream's history (Answers): where the rest of an answer whose instance is gone comes from. */
export interface AnswerHistory {
  savedAnswer(app: string, upstream: AnswerUpstream): Observable<SavedAnswer>;
}
