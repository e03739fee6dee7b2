import { Module } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { sessionConfig } from '../config';
import { ShutdownSequence } from '../lifecycle';
import { Metrics } from '../metrics';
import { InMemorySessionStore } from './in-memory-session-store';
import { RedisSessionStore } from './redis-session-store';
import { SessionRecords } from './session-records';
import { SessionStore } from './session-store';

@Module({
  providers: [
    SessionRecords,
    {
      provide: SessionStore,
      inject: [sessionConfig.KEY, Metrics, ShutdownSequence],
      useFactory: (config: ConfigType<typeof sessionConfig>, metrics: Metrics, shutdown: ShutdownSequence) => {
        if (config.redis) {
          const store = RedisSessionStore.connect(config.redis, config.ttlMs, config.commandTimeoutMs);
          shutdown.register('close', 'Redis sessions', () => store.close());
          return store;
        }
        const store = new InMemorySessionStore(config.ttlMs, config.maxSessions);
        metrics.trackStoredSessions(() => store.size);
        return store;
      },
    },
  ],
  exports: [SessionStore, SessionRecords],
})
export class SessionModule {}
