import { Inject, Injectable } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { randomUUID } from 'node:crypto';
import { turnConfig } from '../config';
import { Metrics } from '../metrics';
import { AnswerService } from './answer.service';
import { Conversation } from './conversation';
import { QuestionDetector } from './question-detector';

/** Opens one Conversation per connection, wired to the detector and to Dify through AnswerService. */
@Injectable()
export class ConversationService {
  constructor(
    private readonly detector: QuestionDetector,
    private readonly answers: AnswerService,
    @Inject(turnConfig.KEY) private readonly turn: ConfigType<typeof turnConfig>,
    private readonly metrics: Metrics,
  ) {}

  /** Answers streaming now, across every connection. */
  get answersInFlight(): number {
    return this.answers.inFlight;
  }

  /** `principal` is who the client authenticated as; the session id is server-made until the client names one. */
  open(principal: string): Conversation {
    return new Conversation(
      {
        detect: (text) => {
          const verdict = this.detector.detect(text);
          return {
            isQuestion: verdict.score >= this.turn.threshold,
            unfinished: verdict.unfinished,
            backchannel: verdict.reasons.includes('backchannel'),
          };
        },
        answer: (question, who, sessionId) => this.answers.answer(question, who, sessionId),
        turn: this.turn,
        observe: {
          asked: (mode) => this.metrics.questionAsked(mode),
          interrupted: () => this.metrics.answerInterrupted(),
        },
      },
      principal,
      randomUUID(),
    );
  }
}
