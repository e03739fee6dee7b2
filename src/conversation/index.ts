export { ConversationModule } from './conversation.module';
export { ConversationFactory } from './conversation.factory';
export { AnswerService } from './answer.service';
export { toWireError } from './wire-error';
export { Conversation, AsrChunk } from './conversation';
export { AnswerChunk, ConversationMessage, MessageSink } from './message-sink';
export { QuestionDetector, QuestionVerdict, detectorFor } from './question-detector';
