export { SessionModule } from './session.module';
export { SessionStore, SessionRecord, SessionStoreUnavailableError, sessionKey, difyUser } from './session-store';
export { MemorySessionStore } from './memory-session-store';
export { AnswerLog, AnswerLogReplay, AnswerUpstream, LogEntry, LoggedMessage, LogState, OwnerGoneError } from './answer-log';
export { LocalAnswerLog } from './local-answer-log';
export { Lease, LeaseState, SessionLease } from './session-lease';
export { LocalSessionLease } from './local-session-lease';
export { KeyedSequence } from './keyed-sequence';
