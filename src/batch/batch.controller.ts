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
  NotFoundException,
  Param,
  Post,
  Query,
  Req,
  Res,
  UnauthorizedException,
  UseFilters,
  UsePipes,
  ValidationPipe,
} from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiCreatedResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiPayloadTooLargeResponse,
  ApiProduces,
  ApiServiceUnavailableResponse,
  ApiTooManyRequestsResponse,
  ApiTags,
  ApiUnauthorizedResponse,
} from '@nestjs/swagger';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { concat, of, ReplaySubject } from 'rxjs';
import { ConfigType } from '@nestjs/config';
import { Authenticator } from '../auth';
import { batchConfig } from '../config';
import { QuestionDetector } from '../conversation';
import { BatchQueue } from './batch-queue';
import { QueueStatus, TaskView } from './batch.types';
import { CreateTaskDto } from './create-task.dto';
import { ListQueryDto, ResultsQueryDto } from './results-query.dto';
import { toCsv, toJsonLines } from './results-export';
import { streamEvents } from './task-events';
import { QueueUnavailableFilter } from './queue-unavailable.filter';
import { finished } from './task-view';
import { transcriptQuestions } from './transcript';

/** The batch API of the replaced Python service: many questions answered offline, each through Dify. */
@ApiTags('batch')
@ApiUnauthorizedResponse({ description: 'AUTH_TOKENS is set and the request has none of them (Bearer or ?token=).' })
@ApiServiceUnavailableResponse({ description: "The queue's Redis is down or not answering: try again later." })
@Controller('api/batch')
@UsePipes(new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true }))
@UseFilters(QueueUnavailableFilter)
export class BatchController {
  constructor(
    @Inject(batchConfig.KEY) private readonly config: ConfigType<typeof batchConfig>,
    private readonly queue: BatchQueue,
    private readonly authenticator: Authenticator,
    private readonly detector: QuestionDetector,
  ) {}

  @ApiOperation({ summary: 'Submit a task: texts to answer, or a transcript whose questions are answered' })
  @ApiCreatedResponse({ description: '{task_id, status, created_at}' })
  @ApiBadRequestResponse({
    description: 'Neither or both of texts and transcript, too many texts, a transcript with no question, an unknown field.',
  })
  @ApiPayloadTooLargeResponse({ description: 'The body is over BATCH_MAX_BODY_BYTES (16 MiB unless configured).' })
  @ApiTooManyRequestsResponse({ description: 'The caller has BATCH_MAX_OPEN_TASKS tasks pending or running already.' })
  @Post('tasks')
  async submit(@Req() request: IncomingMessage, @Body() body: CreateTaskDto) {
    const principal = this.principal(request);
    if ((body.texts === undefined) === (body.transcript === undefined)) {
      throw new BadRequestException('give either texts (a list of questions) or transcript (a text whose questions are answered)');
    }
    const texts = body.texts ?? transcriptQuestions(body.transcript!, this.detector);
    if (texts.length === 0) throw new BadRequestException('the transcript has no question to answer');
    const open = (await this.queue.list(principal)).filter((task) => !finished(task.status)).length;
    if (open >= this.config.maxOpenTasks) {
      throw new HttpException(
        `${open} of your tasks are pending or running, the most there may be at once (BATCH_MAX_OPEN_TASKS): wait for one to end, or cancel one`,
        HttpStatus.TOO_MANY_REQUESTS,
      );
    }
    const task = await this.queue.submit(principal, {
      name: body.name,
      description: body.description,
      texts,
      conversation: body.options?.conversation ?? false,
    });
    return { task_id: task.task_id, status: task.status, created_at: task.created_at };
  }

  @ApiOperation({ summary: "The caller's tasks, optionally of one status" })
  @ApiOkResponse({ description: '{tasks: [task…]}' })
  @ApiBadRequestResponse({ description: 'An unknown status.' })
  @Get('tasks')
  async list(@Req() request: IncomingMessage, @Query() query: ListQueryDto): Promise<{ tasks: TaskView[] }> {
    return { tasks: await this.queue.list(this.principal(request), query.status) };
  }

  @ApiOperation({ summary: 'A task: its status and progress' })
  @ApiOkResponse({
    description: '{task_id, name, status, progress {total, completed, failed}, created_at, started_at, completed_at, error_message}',
  })
  @ApiNotFoundResponse({ description: "No such task, or another principal's." })
  @Get('tasks/:id')
  async task(@Req() request: IncomingMessage, @Param('id') id: string): Promise<TaskView> {
    return found(await this.queue.task(this.principal(request), id));
  }

  @ApiOperation({ summary: "A page of a task's results: JSON, or JSON Lines or CSV by Accept" })
  @ApiProduces('application/json', 'application/x-ndjson', 'text/csv')
  @ApiOkResponse({
    description: '{task_id, results: [{index, text, content, sources, usage, error_code?, finish_reason?}], total, page, size}',
  })
  @ApiBadRequestResponse({ description: 'page below 1, or size outside 1–1000.' })
  @ApiNotFoundResponse({ description: "No such task, or another principal's." })
  @Get('tasks/:id/results')
  async results(
    @Req() request: IncomingMessage,
    @Param('id') id: string,
    @Query() { page, size }: ResultsQueryDto,
    @Headers('accept') accept: string | undefined,
    @Res({ passthrough: true }) response: ServerResponse,
  ) {
    const { total, results } = found(await this.queue.results(this.principal(request), id, (page - 1) * size, size));
    if (accept?.includes('application/x-ndjson')) {
      response.setHeader('Content-Type', 'application/x-ndjson');
      return toJsonLines(results);
    }
    if (accept?.includes('text/csv')) {
      response.setHeader('Content-Type', 'text/csv');
      return toCsv(results);
    }
    return { task_id: id, results, total, page, size };
  }

  @ApiOperation({ summary: "A task's progress as Server-Sent Events: its state now, then as it moves on, until it ends" })
  @ApiProduces('text/event-stream')
  @ApiOkResponse({
    description:
      'Events `batch_progress`, each data {type: "batch_progress", task_id, progress (0–100), status, message, timestamp}, at most 4 a second; the stream ends with the task.',
  })
  @ApiNotFoundResponse({ description: "No such task, or another principal's." })
  @Get('tasks/:id/events')
  async events(@Req() request: IncomingMessage, @Param('id') id: string, @Res() response: ServerResponse): Promise<void> {
    const principal = this.principal(request);
    // Listening before the first read, so a change between the two is not missed.
    const live = new ReplaySubject<TaskView>();
    const listening = this.queue.updatesOf(principal, id).subscribe(live);
    let current: TaskView;
    try {
      current = found(await this.queue.task(principal, id));
    } catch (error) {
      listening.unsubscribe();
      throw error;
    }
    streamEvents(response, concat(of(current), live), () => listening.unsubscribe());
  }

  @ApiOperation({ summary: 'Cancel a task: waiting items are dropped, items in flight stopped upstream' })
  @ApiOkResponse({ description: 'The task, cancelled (or as it ended, when it had).' })
  @ApiNotFoundResponse({ description: "No such task, or another principal's." })
  @Delete('tasks/:id')
  async cancel(@Req() request: IncomingMessage, @Param('id') id: string): Promise<TaskView> {
    return found(await this.queue.cancel(this.principal(request), id));
  }

  @ApiOperation({ summary: 'The queue: durable or not, concurrency, items waiting and active, tasks by status' })
  @ApiOkResponse({
    description:
      '{durable, concurrency, rate_per_second, workers, waiting, active, tasks: {pending, running, completed, failed, cancelled}}',
  })
  @Get('status')
  async status(@Req() request: IncomingMessage): Promise<QueueStatus> {
    this.principal(request);
    return this.queue.status();
  }

  /** Who asks, as on the WebSocket: a token of AUTH_TOKENS (Bearer or ?token=), or everyone anonymous without them. */
  private principal(request: IncomingMessage): string {
    const principal = this.authenticator.authenticate(request);
    if (principal === undefined) throw new UnauthorizedException('present one of AUTH_TOKENS as a Bearer token or ?token=');
    return principal;
  }
}

/** Unknown and other principals' tasks alike are 404: nothing says which. */
function found<T>(value: T | undefined): T {
  if (value === undefined) throw new NotFoundException('no such task');
  return value;
}
