import { Observable, OperatorFunction } from 'rxjs';

/** The events the cap reads (Answers's, without importing it): pieces of text, and the end it adds. */
interface Piece {
  text: string;
  replace: boolean;
}
interface CutEnd {
  end: true;
  cut: true;
  sources: [];
}
const isPiece = (event: object): event is Piece => 'text' in event;

/**
 * Ends an answer whose text would pass `maxChars` code points: the piece that crosses the line is
 * cut to fit, then a cut end (`cut: true`) closes the answer, and the answer's upstream call is
 * unsubscribed (which aborts it and stops Dify's task). The cap is on the answer's current length:
 * a `replace` starts the count again from its own text. Replacements cannot make an answer stream
 * without end either: the text streamed in all, replacements included, ends the answer past twice
 * the cap.
 */
export function capAnswer<E extends object>(maxChars: number): OperatorFunction<E, E | CutEnd> {
  return (events) =>
    new Observable<E | CutEnd>((subscriber) => {
      let length = 0;
      let streamed = 0;
      return events.subscribe({
        next: (event) => {
          if (!isPiece(event)) return subscriber.next(event);
          const chars = codePointCount(event.text);
          const before = event.replace ? 0 : length;
          streamed += chars;
          if (before + chars <= maxChars && streamed <= 2 * maxChars) {
            length = before + chars;
            return subscriber.next(event);
          }
          const fits = streamed <= 2 * maxChars ? firstCodePoints(event.text, maxChars - before) : '';
          if (fits) subscriber.next({ ...event, text: fits });
          subscriber.next({ end: true, cut: true, sources: [] });
          subscriber.complete();
        },
        error: (error: unknown) => subscriber.error(error),
        complete: () => subscriber.complete(),
      });
    });
}

/** An answer Dify saved (a whole text), at most `maxChars` code points: `cut` when it was longer. */
export function capText(text: string, maxChars: number): { text: string; cut: boolean } {
  // Fewer UTF-16 units than the cap means fewer code points too.
  if (text.length <= maxChars || codePointCount(text) <= maxChars) return { text, cut: false };
  return { text: firstCodePoints(text, maxChars), cut: true };
}

const isHighSurrogate = (unit: number) => unit >= 0xd800 && unit <= 0xdbff;
const isLowSurrogate = (unit: number) => unit >= 0xdc00 && unit <= 0xdfff;

/** Code points in `text`, without splitting it into an array (a piece may be large). */
function codePointCount(text: string): number {
  let count = text.length;
  for (let i = 1; i < text.length; i++) if (isLowSurrogate(text.charCodeAt(i)) && isHighSurrogate(text.charCodeAt(i - 1))) count--;
  return count;
}

/** The first `count` code points of `text`. */
function firstCodePoints(text: string, count: number): string {
  let units = 0;
  for (let points = 0; points < count && units < text.length; points++) {
    units += isHighSurrogate(text.charCodeAt(units)) && isLowSurrogate(text.charCodeAt(units + 1)) ? 2 : 1;
  }
  return text.slice(0, units);
}
