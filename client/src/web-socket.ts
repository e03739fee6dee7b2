/** The parts of a WebSocket event the client reads: a message's `data`, a close's `code` and `reason`, an error's `message`. */
export interface SocketEvent {
  data?: unknown;
  code?: number;
  reason?: string;
  message?: string;
}

/** What the client needs of a WebSocket: the browser's and the `ws` package's both are one. */
export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  addEventListener(type: 'message' | 'close' | 'error', listener: (event: SocketEvent) => void): void;
}

/** The browser's `WebSocket`, or the `ws` package's (which also takes `options`, for an Authorization header). */
export type WebSocketConstructor = new (url: string, protocols?: string[], options?: { headers: Record<string, string> }) => WebSocketLike;

/** WebSocket.OPEN, which not every implementation exposes on its instances. */
export const OPEN = 1;

/** The global WebSocket: every browser's, and Node's from 22 on. */
export function globalWebSocket(): WebSocketConstructor {
  const found = (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
  if (!found) throw new Error('No global WebSocket here (Node before 22): pass the ws package as the WebSocket option');
  return found;
}

/**
 * The HTTP status of a refused upgrade, from the error event before the close. The `ws` package
 * says it in its message ("Unexpected server response: 401"); browsers tell nothing.
 */
export function refusedStatus(event: SocketEvent): number | undefined {
  const status = /Unexpected server response: (\d{3})/.exec(event.message ?? '')?.[1];
  return status === undefined ? undefined : Number(status);
}
