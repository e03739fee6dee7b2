import { Module } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { sessionConfig } from '../config';
import { Metrics } from '../metrics';
import { InMemorySessionStore } from './in-memory-session-store';
import { RedisSessionStore } from './redis-session-store';
import { SessionStore } from './session-store';

@Module({
  providers: [
    {
      provide: SessionStore,
      inject: [sessionConfig.KEY, Metrics],
      useFactory: (config: ConfigType<typeof sessionConfig>, metrics: Metrics) => {
        if (config.redis) return RedisSessionStore.connect(config.redis, config.ttlMs, config.commandTimeoutMs);
        const store = new InMemorySessionStore(config.ttlMs, config.maxSessions);
        metrics.trackStoredSessions(() => store.size);
        return store;
      },
    },
  ],
  exports: [SessionStore],
})
export class SessionModule {}
