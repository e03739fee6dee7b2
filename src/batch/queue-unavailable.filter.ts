import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { ServerResponse } from 'node:http';
import { QueueUnavailableError } from './batch-queue';

/**
 * The batch API's own refusals pass as they are; the queue's store failing (Redis down, not answering,
 * full) is 503, to try again; anything else is a bug: 500, logged as an error. Neither tells the client
 * the error's text. Every error body also has `detail`, where the replaced service's (FastAPI's)
 * clients read the reason.
 */
@Catch()
export class QueueUnavailableFilter implements ExceptionFilter {
  private readonly logger = new Logger('Batch');

  catch(exception: unknown, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<ServerResponse>();
    const [status, body] = this.answer(exception);
    if (response.headersSent) {
      response.end();
      return;
    }
    response.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8' });
    response.end(JSON.stringify(withDetail(typeof body === 'string' ? { statusCode: status, message: body } : body)));
  }

  private answer(exception: unknown): [number, string | object] {
    if (exception instanceof HttpException) return [exception.getStatus(), exception.getResponse()];
    if (exception instanceof QueueUnavailableError) {
      this.logger.warn(`batch API: ${exception.message}`);
      return [
        503,
        { statusCode: 503, error: 'Service Unavailable', message: 'the batch queue is unavailable (its Redis): try again later' },
      ];
    }
    this.logger.error(`batch API: ${exception instanceof Error ? (exception.stack ?? exception.message) : String(exception)}`);
    return [500, { statusCode: 500, message: 'Internal server error' }];
  }
}

/** `detail` as the thrower gave it (a list for invalid input, the replaced service's text for 404), else the message. */
function withDetail(body: object): object {
  return 'detail' in body ? body : { ...body, detail: (body as { message?: unknown }).message };
}
