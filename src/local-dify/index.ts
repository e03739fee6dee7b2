export { LocalDifyServer } from './local-dify-server';
export { LocalDifyOptions, LocalDifyFault, StreamRecord, RecordedRequest, AppMode } from './local-dify.types';
export { QueryFault, EndlessAnswer } from './query-faults';
export { KnowledgeBase } from './knowledge-base';
export { seededRandom } from './wire-format';
