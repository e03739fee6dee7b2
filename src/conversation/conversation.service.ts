import { Inject, Injectable } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { randomUUID } from 'node:crypto';
import { turnConfig } from '../config';
import { Metrics } from '../metrics';
import { AnswerService } from './answer.service';
import { Conversation, ConversationDeps, MessageSink } from './conversation';
import { QuestionDetector } from './question-detector';

/** Opens one Conversation per connection, wired to the detector and to Dify through AnswerService. */
@Injectable()
export class ConversationService {
  /** Shared by every Conversation (built once: an idle connection should cost little memory). */
  private readonly deps: ConversationDeps;

  constructor(
    detector: QuestionDetector,
    private readonly answers: AnswerService,
    @Inject(turnConfig.KEY) turn: ConfigType<typeof turnConfig>,
    metrics: Metrics,
  ) {
    this.deps = {
      detect: (text) => {
        const verdict = detector.detect(text);
        return {
          isQuestion: verdict.isQuestion,
          unfinished: verdict.unfinished,
          backchannel: verdict.reasons.includes('backchannel'),
        };
      },
      answer: (question, who, sessionId) => answers.answer(question, who, sessionId),
      turn,
      observe: {
        asked: (mode) => metrics.questionAsked(mode),
        interrupted: () => metrics.answerInterrupted(),
      },
    };
  }

  /** Answers streaming now, across every connection. */
  get answersInFlight(): number {
    return this.answers.inFlight;
  }

  /** `principal` is who the client authenticated as; the session id is server-made until the client names one. */
  open(principal: string, sink: MessageSink): Conversation {
    return new Conversation(this.deps, principal, randomUUID(), sink);
  }
}
