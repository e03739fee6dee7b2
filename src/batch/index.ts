export { BatchModule } from './batch.module';
export type { ItemResult, TaskView } from './batch-queue';
