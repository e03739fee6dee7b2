import { Inject, Logger, Module } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { batchConfig, sessionConfig } from '../config';
import { Answers, ConversationModule } from '../conversation';
import { ShutdownSequence } from '../lifecycle';
import { Metrics } from '../metrics';
import { BatchController } from './batch.controller';
import { BatchQueue } from './batch-queue';
import { InMemoryBatchQueue } from './in-memory-batch-queue';
import { RedisBatchQueue } from './redis-batch-queue';
import { TenancyModule } from '../tenancy';

@Module({
  imports: [ConversationModule, TenancyModule],
  controllers: [BatchController],
  providers: [
    {
      provide: BatchQueue,
      inject: [Answers, batchConfig.KEY, sessionConfig.KEY, Metrics],
      useFactory: (
        answers: Answers,
        config: ConfigType<typeof batchConfig>,
        session: ConfigType<typeof sessionConfig>,
        metrics: Metrics,
      ) => {
        // The Redis queue says itself whether it is durable: its Redis is asked.
        if (session.redis) {
          return RedisBatchQueue.connect(session.redis, answers, config, metrics);
        }
        new Logger('Batch').warn(
          'Batch tasks are kept in this process only (not durable): a restart loses them; set REDIS_URL for durable ones',
        );
        return new InMemoryBatchQueue(answers, config, metrics);
      },
    },
  ],
  exports: [BatchQueue],
})
export class BatchModule {
  /**
   * The queue closes as soon as the shutdown starts, while live answers get their grace: items are
   * not waited for (with Redis they go back to the queue for another instance at once; in memory
   * they are lost with the process anyway). The close phase waits for it with the other connections.
   */
  constructor(@Inject(BatchQueue) queue: BatchQueue, shutdown: ShutdownSequence) {
    let closing: Promise<void> | undefined;
    const close = () => (closing ??= queue.close());
    shutdown.register('drain', 'batch queue', () => void close());
    shutdown.register('close', 'batch queue', close);
  }
}
