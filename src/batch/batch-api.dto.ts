import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { TASK_STATUSES, TaskStatus } from './batch.types';

// The batch API's answers as /docs describes them (the interfaces in batch.types.ts are what the code
// uses). "Replaced service's" marks a field kept for the Python service's clients.

class TaskProgressDto {
  @ApiProperty() total!: number;
  @ApiProperty({ description: 'Items answered.' }) completed!: number;
  @ApiProperty({ description: 'Items that failed.' }) failed!: number;
  @ApiProperty({ description: "Items done (answered or failed) in percent of all, 0–100 (the replaced service's)." })
  percentage!: number;
}

export class SubmittedTaskDto {
  @ApiProperty() task_id!: string;
  @ApiProperty({ enum: TASK_STATUSES }) status!: TaskStatus;
  @ApiProperty({ format: 'date-time' }) created_at!: string;
}

export class TaskDto extends SubmittedTaskDto {
  @ApiProperty() name!: string;
  @ApiProperty({ type: String, nullable: true }) description!: string | null;
  @ApiProperty({ type: TaskProgressDto }) progress!: TaskProgressDto;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) started_at!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) completed_at!: string | null;
  @ApiProperty({ type: String, nullable: true }) error_message!: string | null;
  @ApiProperty({ type: 'object', additionalProperties: true, description: 'The options as submitted ({} without).' })
  options!: Record<string, unknown>;
}

export class CancelledTaskDto extends TaskDto {
  @ApiProperty({ example: 'Task cancelled successfully', description: "The replaced service's answer." }) message!: string;
}

export class TaskListDto {
  @ApiProperty({ type: [TaskDto] }) tasks!: TaskDto[];
  @ApiProperty({ description: "How many tasks (the replaced service's)." }) total!: number;
}

class ResultMetadataDto {
  @ApiProperty({ example: 'DifyProvider' }) provider!: string;
  @ApiPropertyOptional({ enum: [true], description: 'On a failed item (the replaced service marked one so).' }) error?: true;
  @ApiPropertyOptional({ description: 'On a failed item, as error_code.' }) error_code?: string;
}

class ResultItemDto {
  @ApiProperty({ description: "The item's place in the task's texts." }) index!: number;
  @ApiProperty({ description: 'The question.' }) text!: string;
  @ApiProperty({ description: 'The answer; empty for a failed item.' }) content!: string;
  @ApiProperty({
    type: 'array',
    items: { type: 'object', additionalProperties: true },
    description: "Dify's retriever resources, each with its document's name also as title.",
  })
  sources!: unknown[];
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    nullable: true,
    description: "Dify's usage, with total_tokens also as tokens.",
  })
  usage!: unknown;
  @ApiPropertyOptional({ description: 'Why the item failed: an error code of live answers.' }) error_code?: string;
  @ApiPropertyOptional({ enum: ['length'], description: 'The answer was cut at MAX_ANSWER_CHARS: its text up to there.' })
  finish_reason?: 'length';
  @ApiProperty({ type: ResultMetadataDto }) metadata!: ResultMetadataDto;
}

export class ResultsPageDto {
  @ApiProperty() task_id!: string;
  @ApiProperty({ type: [ResultItemDto] }) results!: ResultItemDto[];
  @ApiProperty({ description: 'Results there are so far.' }) total!: number;
  @ApiProperty() page!: number;
  @ApiProperty() size!: number;
}

class TaskCountsDto {
  @ApiProperty() pending!: number;
  @ApiProperty() running!: number;
  @ApiProperty() completed!: number;
  @ApiProperty() failed!: number;
  @ApiProperty() cancelled!: number;
}

class PythonQueueDto {
  @ApiProperty({ description: 'Tasks kept, of every status.' }) total_tasks!: number;
  @ApiProperty() pending!: number;
  @ApiProperty() running!: number;
  @ApiProperty({ description: 'Tasks the caller may have pending or running at once (BATCH_MAX_OPEN_TASKS).' }) max_size!: number;
  @ApiProperty({ description: 'Tasks the caller may submit now.' }) available_slots!: number;
}

export class QueueStatusDto {
  @ApiProperty({ description: 'Tasks are durable jobs in Redis.' }) durable!: boolean;
  @ApiProperty({ description: 'Items this instance answers at once.' }) concurrency!: number;
  @ApiProperty({ description: 'Items started per second at most, over every instance.' }) rate_per_second!: number;
  @ApiProperty({ description: 'Instances taking items.' }) workers!: number;
  @ApiProperty({ description: 'Items waiting for a worker.' }) waiting!: number;
  @ApiProperty({ description: 'Items being answered now.' }) active!: number;
  @ApiProperty({ type: TaskCountsDto }) tasks!: TaskCountsDto;
  @ApiProperty({ description: "Some worker takes items (the replaced service's)." }) is_running!: boolean;
  @ApiProperty({ description: "As concurrency (the replaced service's)." }) max_concurrent!: number;
  @ApiProperty({ type: PythonQueueDto, description: "The replaced service's queue counts." }) queue!: PythonQueueDto;
}

/** Every error of the batch API. */
export class BatchErrorDto {
  @ApiProperty() statusCode!: number;
  @ApiPropertyOptional() error?: string;
  @ApiProperty({
    oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }],
    description: 'The problem, or for invalid input each one.',
  })
  message!: string | string[];
  @ApiPropertyOptional({
    description: 'A code to act on: `UNKNOWN_APP` (403) for an app that does not exist or that the caller may not use.',
  })
  code?: string;
  @ApiProperty({
    oneOf: [
      { type: 'string' },
      {
        type: 'array',
        items: {
          type: 'object',
          required: ['type', 'loc', 'msg'],
          properties: {
            type: { type: 'string' },
            loc: { type: 'array', items: { oneOf: [{ type: 'string' }, { type: 'integer' }] } },
            msg: { type: 'string' },
          },
        },
      },
    ],
    description:
      "Where the replaced service's (FastAPI's) clients read the reason: its own text for a 404, FastAPI's list of {type, loc, msg} for invalid input, else as message.",
  })
  detail!: unknown;
  @ApiPropertyOptional({ type: TaskDto, description: 'DELETE of a task that had ended: the task as it ended.' }) task?: TaskDto;
}
