import { Module } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { resumeConfig, sessionConfig } from '../config';
import { Metrics } from '../metrics';
import { AnswerLog } from './answer-log';
import { InMemoryAnswerLog } from './in-memory-answer-log';
import { InMemorySessionStore } from './in-memory-session-store';
import { RedisAnswerLog } from './redis-answer-log';
import { RedisSessionStore } from './redis-session-store';
import { SessionStore } from './session-store';
import { InMemorySessionLease } from './in-memory-session-lease';
import { RedisSessionLease } from './redis-session-lease';
import { SessionLease } from './session-lease';

@Module({
  providers: [
    {
      provide: SessionStore,
      inject: [sessionConfig.KEY, Metrics],
      useFactory: (config: ConfigType<typeof sessionConfig>, metrics: Metrics) => {
        if (config.redisUrl) return RedisSessionStore.connect(config.redisUrl, config.ttlMs, config.commandTimeoutMs);
        const store = new InMemorySessionStore(config.ttlMs, config.maxSessions);
        metrics.trackStoredSessions(() => store.size);
        return store;
      },
    },
    {
      // With Redis, answers are logged where every instance can resume them (on the store's connection).
      provide: AnswerLog,
      inject: [SessionStore, resumeConfig.KEY, sessionConfig.KEY],
      useFactory: async (store: SessionStore, resume: ConfigType<typeof resumeConfig>, session: ConfigType<typeof sessionConfig>) => {
        if (!(store instanceof RedisSessionStore)) return new InMemoryAnswerLog();
        const log = new RedisAnswerLog(store.redis, resume.retentionMs);
        store.beforeQuit(() => log.close());
        // Taking sockets before the announcements are heard would miss what other instances answer at once.
        await log.untilSubscribed(session.commandTimeoutMs);
        return log;
      },
    },
    {
      // With Redis, one Dify call per session across every instance; alone, the rooms see to it.
      provide: SessionLease,
      inject: [SessionStore],
      useFactory: (store: SessionStore) =>
        store instanceof RedisSessionStore ? new RedisSessionLease(store.redis) : new InMemorySessionLease(),
    },
  ],
  exports: [SessionStore, AnswerLog, SessionLease],
})
export class SessionModule {}
