import { Module } from '@nestjs/common';
import { DifyModule } from '../dify';
import { SessionModule } from '../session';
import { AnswerService } from './answer.service';
import { ConversationService } from './conversation.service';
import { QuestionDetector } from './question-detector';

@Module({
  imports: [DifyModule, SessionModule],
  providers: [QuestionDetector, AnswerService, ConversationService],
  exports: [ConversationService, QuestionDetector],
})
export class ConversationModule {}
