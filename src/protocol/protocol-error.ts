import { ErrorCode, ErrorMessage } from './messages';

/** An error a client is told about as `{type:"error", code, message}`. Its message must be safe to show. */
export class ProtocolError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: Pick<ErrorMessage, 'retryable' | 'upstream_status' | 'upstream_code'> = {},
    /** After telling the client, close its socket with this WebSocket close code (e.g. 1008 for a flood). */
    readonly closeCode?: number,
  ) {
    super(message);
    this.name = 'ProtocolError';
  }

  /** The reason of that close frame: the message, cut to fit (a close reason has at most 123 bytes). */
  get closeReason(): string {
    return this.message.slice(0, 100);
  }

  toMessage(sessionId?: string): ErrorMessage {
    return { type: 'error', code: this.code, message: this.message, ...this.details, session_id: sessionId };
  }
}

/** What a client sent, cut to 40 characters and made well-formed, to quote in an error message. */
export function excerpt(sent: string): string {
  return sent.slice(0, 40).toWellFormed();
}
