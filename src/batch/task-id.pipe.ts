import { NotFoundException, PipeTransform } from '@nestjs/common';

/** A task id as the queues make them (randomUUID). */
const TASK_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Refuses an id no task can have before it reaches the queue (and its Redis keys): 404, as an unknown one. */
export class TaskIdPipe implements PipeTransform<string, string> {
  transform(id: string): string {
    if (!TASK_ID.test(id)) throw new NotFoundException('no such task: a task id is a UUID, as POST /api/batch/tasks gave it');
    return id;
  }
}
