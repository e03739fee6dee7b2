export { SessionHubModule } from './session-hub.module';
export { AnswerLog, AnswerLogReplay, AnswerUpstream, LogEntry, LoggedMessage, LogState, OwnerGoneError } from './answer-log';
export { InMemoryAnswerLog } from './in-memory-answer-log';
export { Lease, LeaseState, SessionLease } from './session-lease';
export { InMemorySessionLease } from './in-memory-session-lease';
export { ClientPosition } from './client-position';
