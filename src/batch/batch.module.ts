import { Inject, Logger, Module, OnApplicationShutdown } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { batchConfig, sessionConfig } from '../config';
import { Answers, ConversationModule } from '../conversation';
import { ShutdownState } from '../lifecycle';
import { Metrics } from '../metrics';
import { BatchController } from './batch.controller';
import { BatchQueue } from './batch-queue';
import { InMemoryBatchQueue } from './in-memory-batch-queue';
import { RedisBatchQueue } from './redis-batch-queue';

@Module({
  imports: [ConversationModule],
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
export class BatchModule implements OnApplicationShutdown {
  private closing?: Promise<void>;

  /**
   * The queue closes as soon as the shutdown starts, while live answers get their grace: items are
   * not waited for (with Redis they go back to the queue for another instance at once; in memory
   * they are lost with the process anyway).
   */
  constructor(
    @Inject(BatchQueue) private readonly queue: BatchQueue,
    shutdown: ShutdownState,
  ) {
    shutdown.onDrain(() => void this.close());
  }

  onApplicationShutdown(): Promise<void> {
    return this.close();
  }

  private close(): Promise<void> {
    this.closing ??= this.queue.close();
    return this.closing;
  }
}
