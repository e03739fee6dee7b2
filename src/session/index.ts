export { SessionModule } from './session.module';
export {
  SessionStore,
  SessionRecord,
  RememberedTurn,
  SessionStoreUnavailableError,
  sessionKey,
  principalOf,
  sessionIdOf,
  difyUser,
} from './session-store';
export { SessionRecords } from './session-records';
export { InMemorySessionStore } from './in-memory-session-store';
export { RedisSessionStore } from './redis-session-store';
export { KeyedSequence } from './keyed-sequence';
export { FairLru } from './fair-lru';
export { RedisConnections, RedisClient, isCluster, repliesOf } from './redis-connection';
export { RedisKeys } from './redis-keys';
