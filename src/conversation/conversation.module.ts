import { Module } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { turnConfig } from '../config';
import { DifyModule } from '../dify';
import { SessionModule } from '../session';
import { AnswerFeedback } from './answer-feedback.service';
import { AnswerService } from './answer.service';
import { ConversationFactory } from './conversation-factory';
import { SessionRooms } from './session-rooms';
import { detectorFor, QuestionDetector } from './question-detector';
import { SessionInputs } from './session-inputs.service';

@Module({
  imports: [DifyModule, SessionModule],
  providers: [
    // One threshold and one window, from the configuration, for every verdict the service acts on.
    { provide: QuestionDetector, inject: [turnConfig.KEY], useFactory: (turn: ConfigType<typeof turnConfig>) => detectorFor(turn) },
    AnswerService,
    AnswerFeedback,
    SessionInputs,
    SessionRooms,
    ConversationFactory,
  ],
  exports: [ConversationFactory, AnswerService, SessionRooms, QuestionDetector],
})
export class ConversationModule {}
