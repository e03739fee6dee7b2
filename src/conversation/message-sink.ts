import { AnswerMessage, OutboundMessage, ProtocolError, Stage, StatusMessage } from '../protocol';
import { withoutUndefined } from './answer-report';

/** An answer chunk as a conversation hands it out: the sink numbers an answer's chunks as it writes them. */
export type AnswerChunk = Omit<AnswerMessage, 'stream_index'>;

/** What a conversation sends: the protocol's messages, answer chunks not yet numbered. */
export type ConversationMessage = Exclude<OutboundMessage, AnswerMessage> | AnswerChunk;

/** Where a Conversation's messages go (the socket's Outbox). */
export interface MessageSink {
  send(message: ConversationMessage): void;
  /** The next answer chunk is number `streamIndex`: a resumed answer continues the client's count. */
  continueAt(streamIndex: number): void;
  /**
   * The conversation is over (stop, or the client went): nothing more will be sent. `reason`: the
   * service ended it (at shutdown), and the client has been told so when it lost anything.
   */
  end(reason?: ProtocolError): void;
}

/** A status message of a session (absent extras left out). */
export function statusMessage(stage: Stage, sessionId: string, extra: Partial<StatusMessage> = {}): StatusMessage {
  return { type: 'status', stage, ...withoutUndefined(extra), session_id: sessionId };
}
