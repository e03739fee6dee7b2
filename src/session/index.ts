export { SessionModule } from './session.module';
export { SessionStore, SessionRecord, SessionStoreUnavailableError, sessionKey, principalOf, difyUser } from './session-store';
export { InMemorySessionStore } from './in-memory-session-store';
export { RedisSessionStore } from './redis-session-store';
export { KeyedSequence } from './keyed-sequence';
export { FairLru } from './fair-lru';
