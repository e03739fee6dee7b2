/** An error reply in Dify's envelope `{code, message, status}`. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** Dify's answer for an unknown conversation, and for another user's: the same, so ids cannot be probed. */
export const conversationNotExists = () => new HttpError(404, 'not_found', 'Conversation Not Exists.');
