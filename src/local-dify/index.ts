export { LocalDifyServer } from './local-dify-server';
export { LocalDifyOptions, LocalDifyFault, StreamRecord, RecordedRequest, AppMode } from './local-dify.types';
export { KnowledgeBase } from './knowledge-base';
export { seededRandom } from './wire-format';
export { LocalRagflowServer, LocalRagflowOptions, LOCAL_THINKING } from './local-ragflow-server';
export { LocalFastGptServer } from './local-fastgpt-server';
export { LocalPlatformOptions, PlatformStreamRecord } from './local-platform-server';
