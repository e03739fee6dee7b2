import { Module } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { resumeConfig, sessionConfig } from '../config';
import { ShutdownSequence } from '../lifecycle';
import { RedisSessionStore, SessionModule, SessionStore } from '../session';
import { AnswerLog } from './answer-log';
import { InMemoryAnswerLog } from './in-memory-answer-log';
import { InMemorySessionLease } from './in-memory-session-lease';
import { RedisAnswerLog } from './redis-answer-log';
import { RedisSessionLease } from './redis-session-lease';
import { SessionLease } from './session-lease';

@Module({
  imports: [SessionModule],
  providers: [
    {
      // With Redis, answers are logged where every instance can resume them (on the store's connection).
      provide: AnswerLog,
      inject: [SessionStore, resumeConfig.KEY, sessionConfig.KEY, ShutdownSequence],
      useFactory: async (
        store: SessionStore,
        resume: ConfigType<typeof resumeConfig>,
        session: ConfigType<typeof sessionConfig>,
        shutdown: ShutdownSequence,
      ) => {
        if (!(store instanceof RedisSessionStore)) return new InMemoryAnswerLog();
        const log = new RedisAnswerLog(
          store.redis,
          store.connections,
          resume.retentionMs,
          session.commandTimeoutMs,
          session.clusterFollowPollMs,
          session.answerLogFlushMs,
        );
        shutdown.register('flush', 'answer log', () => log.close());
        // A room that joins while announcements cannot be heard misses what other instances answer at once.
        await log.untilConnected(session.commandTimeoutMs);
        return log;
      },
    },
    {
      // With Redis, one Dify call per session across every instance; alone, the rooms see to it.
      provide: SessionLease,
      inject: [SessionStore],
      useFactory: (store: SessionStore) =>
        store instanceof RedisSessionStore ? new RedisSessionLease(store.redis, store.connections.keys) : new InMemorySessionLease(),
    },
  ],
  exports: [SessionModule, AnswerLog, SessionLease],
})
export class SessionHubModule {}
