import { Inject, Logger, Module, OnApplicationShutdown } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { batchConfig } from '../config';
import { AnswerService, ConversationModule } from '../conversation';
import { BatchController } from './batch.controller';
import { BatchQueue } from './batch-queue';
import { InMemoryBatchQueue } from './in-memory-batch-queue';

@Module({
  imports: [ConversationModule],
  controllers: [BatchController],
  providers: [
    {
      provide: BatchQueue,
      inject: [AnswerService, batchConfig.KEY],
      useFactory: (answers: AnswerService, config: ConfigType<typeof batchConfig>) => {
        new Logger('Batch').warn('Batch tasks are kept in this process only (not durable): a restart loses them');
        return new InMemoryBatchQueue(answers, config);
      },
    },
  ],
})
export class BatchModule implements OnApplicationShutdown {
  constructor(@Inject(BatchQueue) private readonly queue: BatchQueue) {}

  onApplicationShutdown(): Promise<void> {
    return this.queue.close();
  }
}
