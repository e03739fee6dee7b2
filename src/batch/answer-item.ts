import { catchError, map, Observable, of, reduce } from 'rxjs';
import { AnswerEvent, Answers, toWireError } from '../conversation';
import { contextOfTraceparent, traced } from '../tracing';
import { ItemResult } from './batch.types';

type Collected = Pick<ItemResult, 'content' | 'sources' | 'usage' | 'finish_reason'>;

/** The answer's text, and what its end said: Dify's sources and usage, or that it was cut at MAX_ANSWER_CHARS. */
function collect(answer: Collected, event: AnswerEvent): Collected {
  if ('text' in event) return { ...answer, content: event.replace ? event.text : answer.content + event.text };
  if ('end' in event && event.cut) return { ...answer, finish_reason: 'length' };
  if ('end' in event) return { ...answer, sources: event.sources, usage: event.usage ?? null };
  return answer;
}

/** Each item is a session of its own, or every item of a task one session (one Dify conversation). */
export function itemSession(taskId: string, index: number, conversation: boolean): string {
  return conversation ? `batch:${taskId}` : `batch:${taskId}:${index}`;
}

/** An item that failed with `errorCode`: no answer. */
export function failedItem(index: number, text: string, errorCode: string): ItemResult {
  return { index, text, content: '', sources: [], usage: null, error_code: errorCode };
}

/**
 * One item asked like a live question (same Dify client, limits and error codes; within BATCH_MAX_SHARE
 * of the answer slots), its answer collected whole. Never errors: a failure is the result's error code. Unsubscribing cancels the upstream call.
 * Traced as a span of its task's trace (`traceparent`, kept with the task), wherever it is answered.
 */
export function answerItem(
  answers: Answers,
  principal: string,
  app: string,
  sessionId: string,
  index: number,
  text: string,
  traceparent?: string,
): Observable<ItemResult> {
  return answers.answer(text, principal, app, sessionId, false, 'batch').pipe(
    traced('batch.item', { parent: contextOfTraceparent(traceparent), attributes: { 'realtime_rag.batch_item': index } }),
    reduce(collect, { content: '', sources: [], usage: null }),
    map((answer): ItemResult => ({ index, text, ...answer })),
    catchError((error: unknown) => of(failedItem(index, text, toWireError(error).code))),
  );
}
