export { ConversationModule } from './conversation.module';
export { ConversationFactory } from './conversation-factory';
export { AnswerEvent, Answers } from './answers';
export { SessionRooms } from '../session-hub';
export { describeError, toWireError } from './error-mapping';
export { Conversation, ResumePoint } from './conversation';
export { AnswerChunk, ConversationMessage, MessageSink } from './message-sink';
export { QuestionDetector, QuestionVerdict } from './question-detector';
export { joinUtterances } from './utterance-text';
