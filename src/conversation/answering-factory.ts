import { Inject, Injectable } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { turnConfig } from '../config';
import { DifyAppApi } from '../dify';
import { Metrics } from '../metrics';
import { difyUser } from '../session';
import { AnswerOutlet } from '../session-hub';
import { AnswerFeedback } from './answer-feedback';
import { Answering, AnsweringDeps } from './answering';
import { Answers } from './answers';

/** Makes each session's Answering, wired to Dify, the metrics, answer feedback and suggested questions. */
@Injectable()
export class AnsweringFactory {
  /** Shared by every session's Answering (built once: an idle session should cost little memory). */
  private readonly deps: AnsweringDeps;

  constructor(
    answers: Answers,
    @Inject(turnConfig.KEY) turn: ConfigType<typeof turnConfig>,
    metrics: Metrics,
    feedback: AnswerFeedback,
    app: DifyAppApi,
  ) {
    this.deps = {
      answer: (question, principal, sessionId, speech) => answers.answer(question, principal, sessionId, speech),
      turn,
      now: Date.now,
      observe: {
        asked: (mode) => metrics.questionAsked(mode),
        interrupted: () => metrics.answerInterrupted(),
        retracted: () => metrics.questionRetracted(),
      },
      started: (answerId, { messageId }, principal, sessionId) => feedback.remember(principal, sessionId, answerId, messageId),
      suggest: (messageId, principal, sessionId) => app.suggested(messageId, difyUser(principal, sessionId)),
    };
  }

  /** The Answering of the session whose room is `outlet`. */
  create(outlet: AnswerOutlet): Answering {
    return new Answering(this.deps, outlet);
  }
}
