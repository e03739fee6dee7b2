import {
  BadRequestException,
  Body,
  Controller,
  Delete,
  Get,
  Headers,
  NotFoundException,
  Param,
  Post,
  Query,
  Req,
  Res,
  UnauthorizedException,
  UsePipes,
  ValidationPipe,
} from '@nestjs/common';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Authenticator } from '../auth';
import { QuestionDetector } from '../conversation';
import { BatchQueue, QueueStatus, TaskView } from './batch-queue';
import { CreateTaskDto } from './create-task.dto';
import { ListQueryDto, ResultsQueryDto } from './results-query.dto';
import { toCsv, toJsonLines } from './results-export';
import { transcriptQuestions } from './transcript';

/** The batch API of the replaced Python service: many questions answered offline, each through Dify. */
@Controller('api/batch')
@UsePipes(new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true }))
export class BatchController {
  constructor(
    private readonly queue: BatchQueue,
    private readonly authenticator: Authenticator,
    private readonly detector: QuestionDetector,
  ) {}

  @Post('tasks')
  async submit(@Req() request: IncomingMessage, @Body() body: CreateTaskDto) {
    const principal = this.principal(request);
    if ((body.texts === undefined) === (body.transcript === undefined)) {
      throw new BadRequestException('give either texts (a list of questions) or transcript (a text whose questions are answered)');
    }
    const texts = body.texts ?? transcriptQuestions(body.transcript!, this.detector);
    if (texts.length === 0) throw new BadRequestException('the transcript has no question to answer');
    const task = await this.queue.submit(principal, {
      name: body.name,
      description: body.description,
      texts,
      conversation: body.options?.conversation ?? false,
    });
    return { task_id: task.task_id, status: task.status, created_at: task.created_at };
  }

  @Get('tasks')
  async list(@Req() request: IncomingMessage, @Query() query: ListQueryDto): Promise<{ tasks: TaskView[] }> {
    return { tasks: await this.queue.list(this.principal(request), query.status) };
  }

  @Get('tasks/:id')
  async task(@Req() request: IncomingMessage, @Param('id') id: string): Promise<TaskView> {
    return found(await this.queue.task(this.principal(request), id));
  }

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

  @Delete('tasks/:id')
  async cancel(@Req() request: IncomingMessage, @Param('id') id: string): Promise<TaskView> {
    return found(await this.queue.cancel(this.principal(request), id));
  }

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
