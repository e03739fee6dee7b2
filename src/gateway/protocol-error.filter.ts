import { Injectable, Logger } from '@nestjs/common';
import type { WebSocket } from 'ws';
import { describeError, toWireError } from '../conversation';
import { condemn } from './condemn';
import { Connections } from './connections';

/**
 * Turns any error of an inbound message (InboundDispatch: the rate limit, validation, a gateway
 * handler) into an `error` message on that socket (through the one mapping, toWireError), which
 * stays open unless the error closes it.
 */
@Injectable()
export class ProtocolErrorFilter {
  private readonly logger = new Logger(ProtocolErrorFilter.name);

  constructor(private readonly connections: Connections) {}

  reply(socket: WebSocket, exception: unknown): void {
    const error = toWireError(exception);
    // A client's fault is its own business; only a bug deserves the log, with its stack.
    if (error.code === 'SERVER_ERROR') this.logger.error(describeError(exception, 'stack'));
    const connection = this.connections.get(socket);
    const message = error.toMessage(connection?.conversation.sessionId);
    if (connection) connection.outbox.send(message);
    else if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(message));
    if (error.closeCode) condemn(socket, error.closeCode, error.closeReason);
  }
}
