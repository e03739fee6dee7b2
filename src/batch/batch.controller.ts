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
import {
  ApiBatch,
  ApiCancelTask,
  ApiGetTask,
  ApiListTasks,
  ApiQueueStatus,
  ApiSubmitTask,
  ApiTaskEvents,
  ApiTaskResults,
} from './batch-api-docs';
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
@ApiBatch()
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

  @ApiSubmitTask()
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

  @ApiListTasks()
  @Get('tasks')
  async list(@Req() request: IncomingMessage, @Query() query: ListQueryDto): Promise<{ tasks: TaskResponse[]; total: number }> {
    const tasks = await this.queue.list(this.principal(request), query.status);
    return { tasks: tasks.map(taskResponse), total: tasks.length };
  }

  @ApiGetTask()
  @Get('tasks/:id')
  async task(@Req() request: IncomingMessage, @Param('id', TaskIdPipe) id: string): Promise<TaskResponse> {
    return taskResponse(found(await this.queue.task(this.principal(request), id)));
  }

  @ApiTaskResults()
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

  @ApiTaskEvents()
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

  @ApiCancelTask()
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

  @ApiQueueStatus()
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
