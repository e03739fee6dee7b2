import { Injectable, Logger } from '@nestjs/common';
import { DifyApps, DifyFeedbackRating } from '../dify';
import { wireErrors } from '../protocol';
import { difyUser, SessionRecords, sessionKey } from '../session';

export interface Rating {
  answerId: string;
  rating: DifyFeedbackRating;
  content?: string;
}

/**
 * Feedback on a session's answers, sent to Dify for the answer's message: the session remembers
 * which Dify message each of its latest answers is, wherever it was streamed.
 */
@Injectable()
export class AnswerFeedback {
  private readonly logger = new Logger(AnswerFeedback.name);

  constructor(
    private readonly dify: DifyApps,
    private readonly sessions: SessionRecords,
  ) {}

  /** Dify named the answer's message (its first event). */
  remember(principal: string, app: string, sessionId: string, answerId: string, messageId: string): void {
    this.sessions
      .keepMessage(sessionKey(principal, app, sessionId), answerId, messageId)
      .catch((error: unknown) =>
        this.logger.warn(`Remembering answer ${answerId} failed: ${error instanceof Error ? error.message : String(error)}`),
      );
  }

  /** Fails with UNSUPPORTED_BY_APP for an app not on Dify, UNKNOWN_ANSWER for an answer the session does not know, or a Dify or store failure. */
  async send(principal: string, app: string, sessionId: string, { answerId, rating, content }: Rating): Promise<void> {
    const dify = this.dify.find(app);
    if (!dify) throw wireErrors.unsupportedByApp(app, 'feedback');
    const messageId = await this.sessions.findMessage(sessionKey(principal, app, sessionId), answerId);
    if (!messageId) throw wireErrors.unknownAnswer();
    await dify.api.feedback(messageId, difyUser(principal, sessionId), rating, content);
  }
}
