import { Inject, Injectable } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { randomUUID } from 'node:crypto';
import { turnConfig } from '../config';
import { AnswerFeedback } from './answer-feedback';
import { Conversation } from './conversation';
import { ConversationDeps } from './conversation.types';
import { MessageSink } from './message-sink';
import { QuestionDetector } from './question-detector';
import { SessionInputs } from './session-inputs';
import { SessionRooms } from '../session-hub';
import { Answering } from './answering';

/** Builds one Conversation per connection, wired to the detector and to this instance's session rooms. */
@Injectable()
export class ConversationFactory {
  /** Shared by every Conversation (built once: an idle connection should cost little memory). */
  private readonly deps: ConversationDeps;

  constructor(
    detector: QuestionDetector,
    // Made with each session's Answering (ConversationModule).
    @Inject(SessionRooms) rooms: SessionRooms<Answering>,
    @Inject(turnConfig.KEY) turn: ConfigType<typeof turnConfig>,
    inputs: SessionInputs,
    feedback: AnswerFeedback,
  ) {
    this.deps = {
      detect: (text) => {
        const verdict = detector.detect(text);
        return {
          isQuestion: verdict.isQuestion,
          unfinished: verdict.unfinished,
          backchannel: verdict.reasons.includes('backchannel'),
          score: verdict.score,
        };
      },
      turn,
      stopMode: turn.stopMode,
      rooms,
      setInputs: (principal, app, sessionId, values) => inputs.set(principal, app, sessionId, values),
      rate: (principal, app, sessionId, rating) => feedback.send(principal, app, sessionId, rating),
    };
  }

  /**
   * `principal` is who the client authenticated as, `app` the app chosen at the upgrade (a hello may
   * choose another before the first question); the session id is server-made until the client names
   * one, unless the client's token names the only one it may use.
   */
  create(principal: string, app: string, sink: MessageSink, sessionId: string = randomUUID()): Conversation {
    return new Conversation(this.deps, principal, app, sessionId, sink);
  }
}
