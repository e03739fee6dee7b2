import { Injectable } from '@nestjs/common';
import type { WebSocket } from 'ws';
import { Conversation } from '../conversation';

/** Which Conversation each open socket carries. */
@Injectable()
export class Connections {
  private readonly bySocket = new WeakMap<WebSocket, Conversation>();

  set(socket: WebSocket, conversation: Conversation): void {
    this.bySocket.set(socket, conversation);
  }

  get(socket: WebSocket): Conversation | undefined {
    return this.bySocket.get(socket);
  }

  delete(socket: WebSocket): void {
    this.bySocket.delete(socket);
  }
}
