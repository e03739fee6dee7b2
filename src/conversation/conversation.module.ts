import { Module } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { resumeConfig, turnConfig } from '../config';
import { DifyModule } from '../dify';
import { UpstreamModule } from '../upstream';
import { ShutdownState } from '../lifecycle';
import { AnswerLog, SessionHubModule, SessionRooms } from '../session-hub';
import { AnswerFeedback } from './answer-feedback';
import { Answering } from './answering';
import { AnsweringFactory } from './answering-factory';
import { Answers } from './answers';
import { ConversationFactory } from './conversation-factory';
import { detectorFor, QuestionDetector } from './question-detector';
import { SessionInputs } from './session-inputs';

@Module({
  imports: [DifyModule, UpstreamModule, SessionHubModule],
  providers: [
    // One threshold and one window, from the configuration, for every verdict the service acts on.
    { provide: QuestionDetector, inject: [turnConfig.KEY], useFactory: (turn: ConfigType<typeof turnConfig>) => detectorFor(turn) },
    Answers,
    AnswerFeedback,
    SessionInputs,
    AnsweringFactory,
    {
      // The hub's rooms, each with its session's Answering: the hub knows no turns, so the asking side makes them.
      provide: SessionRooms,
      inject: [resumeConfig.KEY, AnswerLog, Answers, AnsweringFactory, ShutdownState],
      useFactory: (
        resume: ConfigType<typeof resumeConfig>,
        log: AnswerLog,
        answers: Answers,
        answering: AnsweringFactory,
        shutdown: ShutdownState,
      ) => new SessionRooms<Answering>(resume, log, answers, (outlet) => answering.create(outlet), shutdown),
    },
    ConversationFactory,
  ],
  exports: [ConversationFactory, Answers, SessionRooms, QuestionDetector],
})
export class ConversationModule {}
