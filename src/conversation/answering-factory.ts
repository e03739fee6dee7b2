import { Inject, Injectable } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { turnConfig } from '../config';
import { DifyApps } from '../dify';
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
    dify: DifyApps,
  ) {
    this.deps = {
      answer: (question, principal, app, sessionId, speech) => answers.answer(question, principal, app, sessionId, speech),
      turn,
      now: Date.now,
      observe: {
        asked: (mode) => metrics.questionAsked(mode),
        interrupted: () => metrics.answerInterrupted(),
        retracted: () => metrics.questionRetracted(),
      },
      started: (answerId, { messageId }, principal, app, sessionId) => feedback.remember(principal, app, sessionId, answerId, messageId),
      suggest: (messageId, principal, app, sessionId) => dify.find(app)?.api.suggested(messageId, difyUser(principal, sessionId)),
    };
  }

  /** The Answering of the session whose room is `outlet`. */
  create(outlet: AnswerOutlet): Answering {
    return new Answering(this.deps, outlet);
  }
}
