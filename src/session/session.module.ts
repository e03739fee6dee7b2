import { Module } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { sessionConfig } from '../config';
import { MemorySessionStore } from './memory-session-store';
import { RedisSessionStore } from './redis-session-store';
import { SessionStore } from './session-store';

@Module({
  providers: [
    {
      provide: SessionStore,
      inject: [sessionConfig.KEY],
      useFactory: (config: ConfigType<typeof sessionConfig>) =>
        config.redisUrl
          ? RedisSessionStore.connect(config.redisUrl, config.ttlMs)
          : new MemorySessionStore(config.ttlMs, config.maxSessions),
    },
  ],
  exports: [SessionStore],
})
export class SessionModule {}
