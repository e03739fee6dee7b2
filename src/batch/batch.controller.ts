import {
  BadRequestException,
  Body,
  Controller,
  Delete,
  Get,
  Headers,
  HttpException,
  HttpStatus,
  Inject,
  Logger,
  NotFoundException,
  Param,
  Post,
  Query,
  Req,
  Res,
  ForbiddenException,
  UseFilters,
  UseGuards,
  UsePipes,
} from '@nestjs/common';
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
import type { IncomingMessage, ServerResponse } from 'node:http';
import { concat, of, ReplaySubject } from 'rxjs';
import { ConfigType } from '@nestjs/config';
import { AuthGuard, requestPrincipal } from '../auth';
import { batchConfig } from '../config';
import { QuestionDetector } from '../conversation';
import { AppRegistry } from '../tenancy';
import { BatchQueue } from './batch-queue';
import { StatusResponse, TaskResponse, TaskView } from './batch.types';
import { resultResponse, statusResponse, taskResponse } from './api-responses';
import { CreateTaskDto, MAX_TEXTS, unknownOptionKeys } from './create-task.dto';
import { BatchErrorDto, CancelledTaskDto, QueueStatusDto, ResultsPageDto, SubmittedTaskDto, TaskDto, TaskListDto } from './batch-api.dto';
import { DetailedValidationPipe } from './detailed-validation.pipe';
import { ListQueryDto, ResultsQueryDto } from './results-query.dto';
import { toCsv, toJsonLines } from './results-export';
import { streamEvents } from './task-events';
import { StreamQuota } from './stream-quota';
import { TaskIdPipe } from './task-id.pipe';
import { QueueUnavailableFilter } from './queue-unavailable.filter';
import { finished } from './task-view';
import { transcriptQuestions } from './transcript';
import { activeTraceparent, contextOfHeaders, tracedCall } from '../tracing';

/** The batch API of the replaced Python service: many questions answered offline, each through Dify. */
@ApiTags('batch')
@ApiExtraModels(ResultsPageDto, BatchErrorDto)
@ApiUnauthorizedResponse({
  type: BatchErrorDto,
  description:
    'Authentication is configured and the request has neither a token of AUTH_TOKENS nor a valid signed token (Bearer or ?token=).',
})
@ApiServiceUnavailableResponse({ type: BatchErrorDto, description: "The queue's Redis is down or not answering: try again later." })
@Controller('api/batch')
@UseGuards(AuthGuard)
@UsePipes(new DetailedValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true }))
@UseFilters(QueueUnavailableFilter)
export class BatchController {
  private readonly logger = new Logger('Batch');
  private readonly streams: StreamQuota;

  constructor(
    @Inject(batchConfig.KEY) private readonly config: ConfigType<typeof batchConfig>,
    private readonly queue: BatchQueue,
    private readonly detector: QuestionDetector,
    private readonly apps: AppRegistry,
  ) {
    this.streams = new StreamQuota(config.maxEventStreams);
  }

  @ApiOperation({ summary: 'Submit a task: texts to answer, or a transcript whose questions are answered' })
  @ApiCreatedResponse({ type: SubmittedTaskDto })
  @ApiBadRequestResponse({
    type: BatchErrorDto,
    description:
      'Neither or both of texts and transcript, more than 10000 texts or transcript questions, a transcript with no question, an unknown field.',
  })
  @ApiPayloadTooLargeResponse({ type: BatchErrorDto, description: 'The body is over BATCH_MAX_BODY_BYTES (16 MiB unless configured).' })
  @ApiTooManyRequestsResponse({ type: BatchErrorDto, description: 'The caller has BATCH_MAX_OPEN_TASKS tasks pending or running already.' })
  @ApiForbiddenResponse({
    type: BatchErrorDto,
    description: '`app` names an app that does not exist or that the caller may not use (`code: "UNKNOWN_APP"`, one answer for both).',
  })
  @Post('tasks')
  async submit(@Req() request: IncomingMessage, @Body() body: CreateTaskDto) {
    const caller = requestPrincipal(request);
    const principal = caller.id;
    // A token's app claim pins the app: another one named is refused like an unknown one.
    const app = this.apps.choose(principal, caller.app, body.app);
    if (app === undefined) {
      throw new ForbiddenException({ statusCode: 403, error: 'Forbidden', code: 'UNKNOWN_APP', message: 'no such app for this caller' });
    }
    if ((body.texts === undefined) === (body.transcript === undefined)) {
      throw new BadRequestException('give either texts (a list of questions) or transcript (a text whose questions are answered)');
    }
    const texts = body.texts ?? (await transcriptQuestions(body.transcript!, this.detector, MAX_TEXTS + 1));
    if (texts.length === 0) throw new BadRequestException('the transcript has no question to answer');
    if (texts.length > MAX_TEXTS)
      throw new BadRequestException(
        `the transcript has more than ${MAX_TEXTS} questions, the most a task may have: split it into several tasks`,
      );
    const open = await this.openTasks(principal);
    if (open >= this.config.maxOpenTasks) {
      throw new HttpException(
        `${open} of your tasks are pending or running, the most there may be at once (BATCH_MAX_OPEN_TASKS): wait for one to end, or cancel one`,
        HttpStatus.TOO_MANY_REQUESTS,
      );
    }
    const options = body.options ?? {};
    if (Buffer.byteLength(JSON.stringify(options)) > this.config.maxOptionsBytes) {
      const problem = `options must be at most ${this.config.maxOptionsBytes} bytes as JSON (BATCH_MAX_OPTIONS_BYTES)`;
      throw new BadRequestException({
        statusCode: 400,
        error: 'Bad Request',
        message: problem,
        detail: [{ type: 'too_long', loc: ['body', 'options'], msg: problem }],
      });
    }
    const unknown = unknownOptionKeys(options);
    // The replaced service passed its options to its providers; no option but `conversation` does anything here.
    if (unknown.length) this.logger.debug(`batch task options kept but not acted on: ${unknown.slice(0, 20).join(', ')}`);
    // The task's span continues the request's traceparent; its items' spans are its children.
    const conversation = options.conversation === true;
    const submit = () =>
      this.queue.submit(principal, {
        name: body.name,
        description: body.description,
        texts,
        app,
        conversation,
        options,
        traceparent: activeTraceparent(),
      });
    const task = await tracedCall('batch.task', submit, { 'realtime_rag.batch_items': texts.length }, contextOfHeaders(request.headers));
    return { task_id: task.task_id, status: task.status, created_at: task.created_at };
  }

  @ApiOperation({ summary: "The caller's tasks, optionally of one status" })
  @ApiOkResponse({ type: TaskListDto })
  @ApiBadRequestResponse({ type: BatchErrorDto, description: 'An unknown status.' })
  @Get('tasks')
  async list(@Req() request: IncomingMessage, @Query() query: ListQueryDto): Promise<{ tasks: TaskResponse[]; total: number }> {
    const tasks = await this.queue.list(this.principal(request), query.status);
    return { tasks: tasks.map(taskResponse), total: tasks.length };
  }

  @ApiOperation({ summary: 'A task: its status and progress' })
  @ApiOkResponse({ type: TaskDto })
  @ApiNotFoundResponse({ type: BatchErrorDto, description: "No such task, or another principal's." })
  @Get('tasks/:id')
  async task(@Req() request: IncomingMessage, @Param('id', TaskIdPipe) id: string): Promise<TaskResponse> {
    return taskResponse(found(await this.queue.task(this.principal(request), id)));
  }

  @ApiOperation({ summary: "A page of a task's results: JSON, or JSON Lines or CSV by Accept" })
  @ApiProduces('application/json', 'application/x-ndjson', 'text/csv')
  @ApiOkResponse({
    description: 'The page as JSON; JSON Lines and CSV have the items only (without metadata).',
    content: {
      'application/json': { schema: { $ref: getSchemaPath(ResultsPageDto) } },
      'application/x-ndjson': { schema: { type: 'string' } },
      'text/csv': { schema: { type: 'string' } },
    },
  })
  @ApiBadRequestResponse({ type: BatchErrorDto, description: 'page outside 1–10000, or size outside 1–1000 (whole numbers).' })
  @ApiNotFoundResponse({ type: BatchErrorDto, description: "No such task, or another principal's." })
  @Get('tasks/:id/results')
  async results(
    @Req() request: IncomingMessage,
    @Param('id', TaskIdPipe) id: string,
    @Query() { page, size }: ResultsQueryDto,
    @Headers('accept') accept: string | undefined,
    @Res({ passthrough: true }) response: ServerResponse,
  ) {
    const { total, results } = found(await this.queue.results(this.principal(request), id, (page - 1) * size, size), NO_RESULTS);
    if (accept?.includes('application/x-ndjson')) {
      response.setHeader('Content-Type', 'application/x-ndjson');
      return toJsonLines(results);
    }
    if (accept?.includes('text/csv')) {
      response.setHeader('Content-Type', 'text/csv');
      return toCsv(results);
    }
    return { task_id: id, results: results.map(resultResponse), total, page, size };
  }

  @ApiOperation({ summary: "A task's progress as Server-Sent Events: its state now, then as it moves on, until it ends" })
  @ApiProduces('text/event-stream')
  @ApiOkResponse({
    description:
      'Events `batch_progress`, each data {type: "batch_progress", task_id, progress (0–100), status, message, timestamp}, at most 4 a second; the stream ends with the task. A task gone meanwhile (expired, or lost with a Redis that does not persist) gets a last event `task_gone`, data {type: "task_gone", task_id, message}, and the stream ends.',
  })
  @ApiNotFoundResponse({
    description: "No such task, or another principal's.",
    content: { 'application/json': { schema: { $ref: getSchemaPath(BatchErrorDto) } } },
  })
  @ApiTooManyRequestsResponse({
    description: 'The caller has BATCH_MAX_EVENT_STREAMS_PER_PRINCIPAL event streams open on this instance already.',
    content: { 'application/json': { schema: { $ref: getSchemaPath(BatchErrorDto) } } },
  })
  @Get('tasks/:id/events')
  async events(@Req() request: IncomingMessage, @Param('id', TaskIdPipe) id: string, @Res() response: ServerResponse): Promise<void> {
    const principal = this.principal(request);
    const release = this.streams.take(principal);
    if (!release) {
      throw new HttpException(
        `you have ${this.config.maxEventStreams} task event streams open, the most there may be at once (BATCH_MAX_EVENT_STREAMS_PER_PRINCIPAL): close one`,
        HttpStatus.TOO_MANY_REQUESTS,
      );
    }
    // Listening before the first read, so a change between the two is not missed.
    const live = new ReplaySubject<TaskView>();
    const listening = this.queue.updatesOf(principal, id).subscribe(live);
    const stop = () => {
      listening.unsubscribe();
      release();
    };
    let current: TaskView;
    try {
      current = found(await this.queue.task(principal, id));
    } catch (error) {
      stop();
      throw error;
    }
    const exists = async () => (await this.queue.task(principal, id)) !== undefined;
    streamEvents(response, { id, views: concat(of(current), live), exists }, stop);
  }

  @ApiOperation({ summary: 'Cancel a task: waiting items are dropped, items in flight stopped upstream' })
  @ApiOkResponse({ type: CancelledTaskDto, description: "The task, cancelled, and the replaced service's message." })
  @ApiNotFoundResponse({
    type: BatchErrorDto,
    description: "No such task, or another principal's; or the task had ended (nothing to cancel), with the task as it ended in `task`.",
  })
  @Delete('tasks/:id')
  async cancel(@Req() request: IncomingMessage, @Param('id', TaskIdPipe) id: string): Promise<TaskResponse & { message: string }> {
    const principal = this.principal(request);
    const before = found(await this.queue.task(principal, id), NOTHING_TO_CANCEL);
    if (finished(before.status)) throw nothingToCancel(before);
    const after = found(await this.queue.cancel(principal, id), NOTHING_TO_CANCEL);
    // It ended on its own between the two reads.
    if (after.status !== 'cancelled') throw nothingToCancel(after);
    return { ...taskResponse(after), message: 'Task cancelled successfully' };
  }

  @ApiOperation({ summary: 'The queue: durable or not, concurrency, items waiting and active, tasks by status' })
  @ApiOkResponse({ type: QueueStatusDto })
  @Get('status')
  async status(@Req() request: IncomingMessage): Promise<StatusResponse> {
    const principal = this.principal(request);
    const [status, open] = await Promise.all([this.queue.status(), this.openTasks(principal)]);
    return statusResponse(status, this.config.maxOpenTasks, open);
  }

  private async openTasks(principal: string): Promise<number> {
    return (await this.queue.list(principal)).filter((task) => !finished(task.status)).length;
  }

  /** Who asks, as AuthGuard authenticated them: the same Authenticator as the WebSocket's. */
  private principal(request: IncomingMessage): string {
    return requestPrincipal(request).id;
  }
}

// The replaced service's `detail` of each 404, word for word: its clients may show or compare it.
const NO_TASK = '任务不存在';
const NO_RESULTS = '任务不存在或结果不可用';
const NOTHING_TO_CANCEL = '任务不存在或无法取消';

/** Unknown and other principals' tasks alike are 404: nothing says which. */
function found<T>(value: T | undefined, detail = NO_TASK): T {
  if (value === undefined) throw new NotFoundException({ statusCode: 404, error: 'Not Found', message: 'no such task', detail });
  return value;
}

/** A task that had ended: 404 as the replaced service answered, with the task as it ended. */
function nothingToCancel(task: TaskView): NotFoundException {
  return new NotFoundException({
    statusCode: 404,
    error: 'Not Found',
    message: `the task had ended (${task.status}): nothing to cancel`,
    detail: NOTHING_TO_CANCEL,
    task: taskResponse(task),
  });
}
