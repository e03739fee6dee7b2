export { SessionModule } from './session.module';
export { SessionStore, SessionRecord, SessionStoreUnavailableError, sessionKey, difyUser } from './session-store';
export { InMemorySessionStore } from './in-memory-session-store';
export { RedisSessionStore } from './redis-session-store';
export { KeyedSequence } from './keyed-sequence';
export { RedisConnections, RedisClient, isCluster } from './redis-connection';
export { RedisKeys } from './redis-keys';
