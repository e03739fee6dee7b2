import { HttpService } from '@nestjs/axios';
import { catchError, defer, from, Observable, retry, switchMap, throwError, timeout, timer } from 'rxjs';
import { DifyError } from './dify-error';
import { difyErrorFrom } from './dify-http-error';
import { DifySettings } from './dify-settings';

/** How often a saved answer is looked for in Dify's history while Dify still generates it. */
const SAVED_ANSWER_POLL_MS = 500;

/** Dify lists the message, without its answer yet. */
class StillGenerating extends Error {}

/**
 * A message's answer as Dify saved it, polled in its history (GET /messages) until the answer is
 * there: Dify keeps generating after its client went and saves the answer at message_end (or
 * stop). Fails after DIFY_TOTAL_TIMEOUT, or when Dify does not know the message.
 */
export function savedAnswer(
  http: HttpService,
  settings: DifySettings,
  conversationId: string,
  messageId: string,
  user: string,
): Observable<string> {
  const { totalTimeoutMs } = settings.limits;
  const lookUp = async (): Promise<string> => {
    const { data } = await http.axiosRef.get<{ data: Array<{ id: string; answer: string }> }>(settings.url('/messages'), {
      headers: settings.authHeader(),
      params: { conversation_id: conversationId, user, limit: 100 },
      timeout: settings.limits.timeoutMs,
    });
    const message = data.data.find((m) => m.id === messageId);
    if (!message) throw new DifyError('not_found', 'Dify does not know the message');
    if (!message.answer) throw new StillGenerating();
    return message.answer;
  };
  return defer(lookUp).pipe(
    retry({ delay: (error: unknown) => (error instanceof StillGenerating ? timer(SAVED_ANSWER_POLL_MS) : throwError(() => error)) }),
    timeout({ first: totalTimeoutMs, with: () => throwError(() => new DifyError('timeout', 'Dify did not finish the answer in time')) }),
    catchError((error: unknown) =>
      error instanceof DifyError ? throwError(() => error) : from(difyErrorFrom(error)).pipe(switchMap((e) => throwError(() => e))),
    ),
  );
}
