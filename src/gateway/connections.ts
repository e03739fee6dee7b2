import { Injectable } from '@nestjs/common';
import type { WebSocket } from 'ws';
import type { Principal } from '../auth';
import { Conversation } from '../conversation';
import { Outbox } from './outbox';

/** What each open socket carries: its Conversation and its way out. */
export interface Connection {
  /** Who it is, decided at the upgrade. */
  principal: Principal;
  conversation: Conversation;
  outbox: Outbox;
  /** Ends its batch_progress messages. */
  stopBatchProgress: () => void;
}

@Injectable()
export class Connections {
  private readonly bySocket = new WeakMap<WebSocket, Connection>();

  set(socket: WebSocket, connection: Connection): void {
    this.bySocket.set(socket, connection);
  }

  get(socket: WebSocket): Connection | undefined {
    return this.bySocket.get(socket);
  }

  delete(socket: WebSocket): void {
    this.bySocket.delete(socket);
  }
}
