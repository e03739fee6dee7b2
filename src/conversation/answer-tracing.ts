import { MonoTypeOperatorFunction } from 'rxjs';
import { pseudonym, traced } from '../tracing';
import { AnswerEvent, isAnswerEnd, isAnswerPiece } from './answer-event';

/**
 * An answer's span, the root of its trace (or a child of the connection's upgrade traceparent): its
 * id, its app, who asked (the principal and the session as short hashes, never in clear), how the question was
 * found, the time to its first text and how it finished. Tracing off: the answer unchanged.
 */
export function traceAnswer(
  answerId: string,
  asker: { principal: string; app: string; sessionId: string },
  mode: 'instant' | undefined,
): MonoTypeOperatorFunction<AnswerEvent> {
  return traced<AnswerEvent>('answer', {
    attributes: () => ({
      'realtime_rag.answer_id': answerId,
      'realtime_rag.app': asker.app,
      'realtime_rag.principal': pseudonym(asker.principal),
      'realtime_rag.session': pseudonym(`${asker.principal}\0${asker.app}\0${asker.sessionId}`),
      'realtime_rag.question_mode': mode ?? 'detected',
    }),
    isToken: isAnswerPiece,
    onValue: (span, event) => {
      if (isAnswerEnd(event)) span.setAttribute('realtime_rag.finish_reason', event.cut ? 'length' : 'complete');
    },
  });
}
