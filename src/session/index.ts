export { SessionModule } from './session.module';
export { SessionStore, SessionRecord, SessionStoreUnavailableError, sessionKey, difyUser } from './session-store';
export { InMemorySessionStore } from './in-memory-session-store';
export { AnswerLog, AnswerLogReplay, AnswerUpstream, LogEntry, LoggedMessage, LogState, OwnerGoneError } from './answer-log';
export { InMemoryAnswerLog } from './in-memory-answer-log';
export { Lease, LeaseState, SessionLease } from './session-lease';
export { InMemorySessionLease } from './in-memory-session-lease';
export { KeyedSequence } from './keyed-sequence';
