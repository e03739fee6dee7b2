import { TurnConfig } from '../config';
import { Rating } from './answer-feedback';
import { HearingDeps, Verdict } from './hearing';
import { Rooms } from './session-membership';

// What a Conversation takes: its dependencies, and the shapes of the client's messages it handles.

export interface AsrChunk {
  text: string;
  isFinal: boolean;
  sessionId?: string;
}

/** What a Conversation needs from the rest of the app. */
export interface ConversationDeps {
  detect: (text: string) => Verdict;
  turn: HearingDeps['turn'];
  now?: () => number;
  /** This instance's session rooms (SessionRooms): where a session's answers are, and its Answering. */
  rooms: Rooms;
  /** Checks and keeps a session's inputs for the Dify app (SessionInputs). */
  setInputs?: (principal: string, app: string, sessionId: string, inputs: Record<string, unknown>) => Promise<void>;
  /** Sends feedback on one of the session's answers to Dify (AnswerFeedback). */
  rate?: (principal: string, app: string, sessionId: string, rating: Rating) => Promise<void>;
  /** What control{stop} does (STOP_MODE; `close` when not given). */
  stopMode?: TurnConfig['stopMode'];
}

/** What a resuming client says it has of an answer (see the `resume` message). */
export interface ResumePoint {
  sessionId: string;
  answerId: string;
  /** Code points of the answer's content the client has, counted since the last replace it saw. */
  offset: number;
  /** The stream_index it expects next. */
  streamIndex: number;
}
