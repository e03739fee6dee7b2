import { Injectable, Logger } from '@nestjs/common';
import { catchError, defer, filter, map, Observable, switchMap, tap, throwError } from 'rxjs';
import { DifyClient, DifyError, DifyEvent } from '../dify';
import { difyUser, SessionStore, sessionKey } from '../session';

/** A piece of an answer: text to append, or (`replace`) text that replaces the answer so far. */
export interface AnswerPiece {
  text: string;
  replace: boolean;
}

/**
 * One turn against Dify: look up the session's conversation, ask, stream the answer's pieces, and
 * remember the conversation for the next question. Cold: nothing happens until subscribed, and
 * unsubscribing cancels the upstream call. Completes when the answer is complete.
 */
@Injectable()
export class AnswerService {
  private readonly logger = new Logger(AnswerService.name);

  constructor(
    private readonly dify: DifyClient,
    private readonly sessions: SessionStore,
  ) {}

  answer(question: string, principal: string, sessionId: string): Observable<AnswerPiece> {
    const key = sessionKey(principal, sessionId);
    const user = difyUser(principal, sessionId);
    return defer(() => this.sessions.get(key)).pipe(
      switchMap((record) => {
        let known = record?.conversationId;
        // Saved at the first event, not the last: Dify keeps the conversation even if this answer fails.
        return this.ask(question, user, known).pipe(
          tap(({ conversationId }) => {
            if (!conversationId || conversationId === known) return;
            known = conversationId;
            this.save(key, conversationId);
          }),
        );
      }),
      filter((event) => event.kind === 'text' || event.kind === 'replace'),
      map((event) => ({ text: event.text, replace: event.kind === 'replace' })),
      filter((piece) => piece.replace || piece.text !== ''),
    );
  }

  /** A stored conversation Dify no longer knows (deleted, expired, ended) gives way to a new one. */
  private ask(query: string, user: string, conversationId: string | undefined): Observable<DifyEvent> {
    return this.dify.streamChat({ query, user, conversationId }).pipe(
      catchError((error: unknown) => {
        if (conversationId && error instanceof DifyError && error.kind === 'conversation_not_found') {
          this.logger.warn(`Dify lost conversation ${conversationId}; starting a new one`);
          return this.ask(query, user, undefined);
        }
        return throwError(() => error);
      }),
    );
  }

  private save(key: string, conversationId: string): void {
    this.sessions.save(key, { conversationId }).catch((error: unknown) => {
      this.logger.error(`Saving session failed: ${error instanceof Error ? error.message : String(error)}`);
    });
  }
}
