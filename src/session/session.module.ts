import { Module } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { resumeConfig, sessionConfig } from '../config';
import { Metrics } from '../metrics';
import { AnswerLog } from './answer-log';
import { LocalAnswerLog } from './local-answer-log';
import { MemorySessionStore } from './memory-session-store';
import { RedisAnswerLog } from './redis-answer-log';
import { RedisSessionStore } from './redis-session-store';
import { SessionStore } from './session-store';

@Module({
  providers: [
    {
      provide: SessionStore,
      inject: [sessionConfig.KEY, Metrics],
      useFactory: (config: ConfigType<typeof sessionConfig>, metrics: Metrics) => {
        if (config.redisUrl) return RedisSessionStore.connect(config.redisUrl, config.ttlMs, config.commandTimeoutMs);
        const store = new MemorySessionStore(config.ttlMs, config.maxSessions);
        metrics.trackStoredSessions(() => store.size);
        return store;
      },
    },
    {
      // With Redis, answers are logged where every instance can resume them (on the store's connection).
      provide: AnswerLog,
      inject: [SessionStore, resumeConfig.KEY],
      useFactory: (store: SessionStore, resume: ConfigType<typeof resumeConfig>) =>
        store instanceof RedisSessionStore ? new RedisAnswerLog(store.redis, resume.retentionMs) : new LocalAnswerLog(),
    },
  ],
  exports: [SessionStore, AnswerLog],
})
export class SessionModule {}
