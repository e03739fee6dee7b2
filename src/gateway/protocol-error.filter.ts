import { ArgumentsHost, Catch, ExceptionFilter, Logger } from '@nestjs/common';
import type { WebSocket } from 'ws';
import { ProtocolError } from '../protocol';
import { condemn } from './condemn';
import { Connections } from './connections';

/**
 * Turns any error thrown by a gateway handler into an `error` message on that socket, which stays
 * open. (Nest's own WS filter sends nothing over a plain `ws` socket.)
 */
@Catch()
export class ProtocolErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger(ProtocolErrorFilter.name);

  constructor(private readonly connections: Connections) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const socket = host.switchToWs().getClient<WebSocket>();
    const error = exception instanceof ProtocolError ? exception : this.internal(exception);
    const connection = this.connections.get(socket);
    const message = error.toMessage(connection?.conversation.currentSessionId);
    if (connection) connection.outbox.send(message);
    else if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(message));
    if (error.closeCode) condemn(socket, error.closeCode, error.closeReason);
  }

  private internal(exception: unknown): ProtocolError {
    this.logger.error(exception instanceof Error ? exception.stack : String(exception));
    return new ProtocolError('SERVER_ERROR', 'The server failed to handle this message.', { retryable: true });
  }
}
