import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { AnswerService } from './answer.service';
import { Conversation } from './conversation';
import { QuestionDetector } from './question-detector';

/** Opens one Conversation per connection, wired to the detector and to Dify through AnswerService. */
@Injectable()
export class ConversationService {
  constructor(
    private readonly detector: QuestionDetector,
    private readonly answers: AnswerService,
  ) {}

  /** `principal` is who the client authenticated as; the session id is server-made until the client names one. */
  open(principal: string): Conversation {
    return new Conversation(
      {
        isQuestion: (text) => this.detector.detect(text).isQuestion,
        answer: (question, who, sessionId) => this.answers.answer(question, who, sessionId),
      },
      principal,
      randomUUID(),
    );
  }
}
