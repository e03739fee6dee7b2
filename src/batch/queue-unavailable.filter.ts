import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { ServerResponse } from 'node:http';

/**
 * The batch API's own refusals pass as they are; anything else is the queue's store failing (Redis
 * down or not answering): 503, to try again, with nothing of the error's text for the client. Every
 * error body also has `detail`, where the replaced service's (FastAPI's) clients read the reason.
 */
@Catch()
export class QueueUnavailableFilter implements ExceptionFilter {
  private readonly logger = new Logger('Batch');

  catch(exception: unknown, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<ServerResponse>();
    const [status, body] =
      exception instanceof HttpException
        ? [exception.getStatus(), exception.getResponse()]
        : [503, { statusCode: 503, error: 'Service Unavailable', message: 'the batch queue is unavailable (its Redis): try again later' }];
    if (!(exception instanceof HttpException))
      this.logger.warn(`batch API: ${exception instanceof Error ? exception.message : String(exception)}`);
    if (response.headersSent) {
      response.end();
      return;
    }
    response.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8' });
    response.end(JSON.stringify(withDetail(typeof body === 'string' ? { statusCode: status, message: body } : body)));
  }
}

/** `detail` as the thrower gave it (a list for invalid input, the replaced service's text for 404), else the message. */
function withDetail(body: object): object {
  return 'detail' in body ? body : { ...body, detail: (body as { message?: unknown }).message };
}
