import { AckMessage, ProtocolError } from '../protocol';
import { AnswerChunk, SessionMessage } from '../session-hub';

export { AnswerChunk };

/** What a conversation sends: its session's messages and its own acks, answer chunks not yet numbered. */
export type ConversationMessage = SessionMessage | AckMessage;

/** Where a Conversation's messages go (the socket's Outbox, which numbers each answer's chunks). */
export interface MessageSink {
  send(message: ConversationMessage): void;
  /** A resuming client expects answer `answerId`'s next chunk to be number `streamIndex`: its chunks continue that count. */
  continueAt(answerId: string, streamIndex: number): void;
  /** Nothing goes out (the socket's errors neither) until `ready` settles: what comes meanwhile waits, in order. */
  holdUntil(ready: Promise<void>): void;
  /**
   * The conversation is over (stop, or the client went): nothing more will be sent. `reason`: the
   * service ended it (at shutdown), and the client has been told so when it lost anything.
   */
  end(reason?: ProtocolError): void;
}
