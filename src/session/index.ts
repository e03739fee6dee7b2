export { SessionModule } from './session.module';
export { SessionStore, SessionRecord, sessionKey, difyUser } from './session-store';
export { MemorySessionStore } from './memory-session-store';
export { RedisSessionStore, SessionStoreUnavailableError } from './redis-session-store';
