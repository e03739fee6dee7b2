import { Module } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { turnConfig } from '../config';
import { DifyModule } from '../dify';
import { SessionHubModule } from '../session-hub';
import { AnswerFeedback } from './answer-feedback';
import { Answers } from './answers';
import { ConversationFactory } from './conversation-factory';
import { SessionRooms } from '../session-hub/session-rooms';
import { detectorFor, QuestionDetector } from './question-detector';
import { SessionInputs } from './session-inputs';

@Module({
  imports: [DifyModule, SessionHubModule],
  providers: [
    // One threshold and one window, from the configuration, for every verdict the service acts on.
    { provide: QuestionDetector, inject: [turnConfig.KEY], useFactory: (turn: ConfigType<typeof turnConfig>) => detectorFor(turn) },
    Answers,
    AnswerFeedback,
    SessionInputs,
    SessionRooms,
    ConversationFactory,
  ],
  exports: [ConversationFactory, Answers, SessionRooms, QuestionDetector],
})
export class ConversationModule {}
