import { WebSocket } from 'ws';
import { OutboundMessage } from '../protocol';

/** Sends one protocol message if the socket is still open; a closing socket drops it. */
export function send(socket: WebSocket, message: OutboundMessage): void {
  if (socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify(message));
}
