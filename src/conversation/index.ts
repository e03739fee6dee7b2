export { ConversationModule } from './conversation.module';
export { ConversationFactory } from './conversation-factory';
export { AnswerService } from './answer.service';
export { describeError, toWireError } from './wire-error';
export { Conversation } from './conversation';
export { AnswerChunk, ConversationMessage, MessageSink } from './message-sink';
