export { ConversationModule } from './conversation.module';
export { ConversationService } from './conversation.service';
export { Conversation, AsrChunk, MessageSink } from './conversation';
export { QuestionDetector, QuestionVerdict, detectorFor } from './question-detector';
