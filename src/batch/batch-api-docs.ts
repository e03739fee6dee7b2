import { applyDecorators } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiCreatedResponse,
  ApiExtraModels,
  ApiForbiddenResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiPayloadTooLargeResponse,
  ApiProduces,
  ApiServiceUnavailableResponse,
  ApiTooManyRequestsResponse,
  ApiTags,
  ApiUnauthorizedResponse,
  getSchemaPath,
} from '@nestjs/swagger';
import { BatchErrorDto, CancelledTaskDto, QueueStatusDto, ResultsPageDto, SubmittedTaskDto, TaskDto, TaskListDto } from './batch-api.dto';

// The batch API as /docs describes it: one decorator per route of BatchController, so the controller shows what it does.

const NOT_FOUND = "No such task, or another principal's.";

/** What every route may answer: not authenticated, the queue's Redis down. */
export const ApiBatch = () =>
  applyDecorators(
    ApiTags('batch'),
    ApiExtraModels(ResultsPageDto, BatchErrorDto),
    ApiUnauthorizedResponse({
      type: BatchErrorDto,
      description:
        'Authentication is configured and the request has neither a token of AUTH_TOKENS nor a valid signed token (Bearer or ?token=).',
    }),
    ApiServiceUnavailableResponse({ type: BatchErrorDto, description: "The queue's Redis is down or not answering: try again later." }),
  );

export const ApiSubmitTask = () =>
  applyDecorators(
    ApiOperation({ summary: 'Submit a task: texts to answer, or a transcript whose questions are answered' }),
    ApiCreatedResponse({ type: SubmittedTaskDto }),
    ApiBadRequestResponse({
      type: BatchErrorDto,
      description:
        'Neither or both of texts and transcript, more than 10000 texts or transcript questions, a transcript with no question, an unknown field.',
    }),
    ApiPayloadTooLargeResponse({ type: BatchErrorDto, description: 'The body is over BATCH_MAX_BODY_BYTES (16 MiB unless configured).' }),
    ApiTooManyRequestsResponse({
      type: BatchErrorDto,
      description: 'The caller has BATCH_MAX_OPEN_TASKS tasks pending or running already.',
    }),
    ApiForbiddenResponse({
      type: BatchErrorDto,
      description: '`app` names an app that does not exist or that the caller may not use (`code: "UNKNOWN_APP"`, one answer for both).',
    }),
  );

export const ApiListTasks = () =>
  applyDecorators(
    ApiOperation({ summary: "The caller's tasks, optionally of one status" }),
    ApiOkResponse({ type: TaskListDto }),
    ApiBadRequestResponse({ type: BatchErrorDto, description: 'An unknown status.' }),
  );

export const ApiGetTask = () =>
  applyDecorators(
    ApiOperation({ summary: 'A task: its status and progress' }),
    ApiOkResponse({ type: TaskDto }),
    ApiNotFoundResponse({ type: BatchErrorDto, description: NOT_FOUND }),
  );

export const ApiTaskResults = () =>
  applyDecorators(
    ApiOperation({ summary: "A page of a task's results: JSON, or JSON Lines or CSV by Accept" }),
    ApiProduces('application/json', 'application/x-ndjson', 'text/csv'),
    ApiOkResponse({
      description: 'The page as JSON; JSON Lines and CSV have the items only (without metadata).',
      content: {
        'application/json': { schema: { $ref: getSchemaPath(ResultsPageDto) } },
        'application/x-ndjson': { schema: { type: 'string' } },
        'text/csv': { schema: { type: 'string' } },
      },
    }),
    ApiBadRequestResponse({ type: BatchErrorDto, description: 'page outside 1–10000, or size outside 1–1000 (whole numbers).' }),
    ApiNotFoundResponse({ type: BatchErrorDto, description: NOT_FOUND }),
  );

export const ApiTaskEvents = () =>
  applyDecorators(
    ApiOperation({ summary: "A task's progress as Server-Sent Events: its state now, then as it moves on, until it ends" }),
    ApiProduces('text/event-stream'),
    ApiOkResponse({
      description:
        'Events `batch_progress`, each data {type: "batch_progress", task_id, progress (0–100), status, message, timestamp}, at most 4 a second; the stream ends with the task. A task gone meanwhile (expired, or lost with a Redis that does not persist) gets a last event `task_gone`, data {type: "task_gone", task_id, message}, and the stream ends.',
    }),
    ApiNotFoundResponse({
      description: NOT_FOUND,
      content: { 'application/json': { schema: { $ref: getSchemaPath(BatchErrorDto) } } },
    }),
    ApiTooManyRequestsResponse({
      description: 'The caller has BATCH_MAX_EVENT_STREAMS_PER_PRINCIPAL event streams open on this instance already.',
      content: { 'application/json': { schema: { $ref: getSchemaPath(BatchErrorDto) } } },
    }),
  );

export const ApiCancelTask = () =>
  applyDecorators(
    ApiOperation({ summary: 'Cancel a task: waiting items are dropped, items in flight stopped upstream' }),
    ApiOkResponse({ type: CancelledTaskDto, description: "The task, cancelled, and the replaced service's message." }),
    ApiNotFoundResponse({
      type: BatchErrorDto,
      description: "No such task, or another principal's; or the task had ended (nothing to cancel), with the task as it ended in `task`.",
    }),
  );

export const ApiQueueStatus = () =>
  applyDecorators(
    ApiOperation({ summary: 'The queue: durable or not, concurrency, items waiting and active, tasks by status' }),
    ApiOkResponse({ type: QueueStatusDto }),
  );
