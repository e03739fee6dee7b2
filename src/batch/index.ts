export { BatchModule } from './batch.module';
export { BatchQueue } from './batch-queue';
export type { ItemResult, TaskView } from './batch.types';
export { batchProgress } from './batch-progress';
export { BatchKeys, ITEM_QUEUE } from './redis-batch-keys';
