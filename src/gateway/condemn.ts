import type { WebSocket } from 'ws';

/** How long a condemned socket may take to finish the closing handshake before it is cut. */
const LINGER_MS = 1000;

/**
 * Closes a socket whose client broke a limit (flooding, reading too slowly) and stops reading it, so
 * whatever it sent after that costs nothing: frames already received are dropped unread (see
 * RealtimeWsAdapter) and no more are taken off the network. Not reading means its closing
 * handshake cannot complete, so the connection is cut after a moment.
 */
export function condemn(socket: WebSocket, code: number, reason: string): void {
  socket.close(code, reason);
  socket.pause();
  setTimeout(() => socket.terminate(), LINGER_MS).unref();
}
