import axios from 'axios';
import { Observable } from 'rxjs';
import type { UpstreamEvent, UpstreamLimits } from '../../src/upstream';

/** Bounds for adapter tests: short enough that a hang test ends, long enough for a busy CI machine. */
export const TEST_LIMITS: UpstreamLimits = {
  timeoutMs: 10_000,
  firstTokenTimeoutMs: 10_000,
  totalTimeoutMs: 30_000,
  retries: 0,
  retryBaseMs: 10,
  maxEventChars: 1024 * 1024,
};

export const testHttp = () => axios.create({ maxRedirects: 0 });

export interface Heard {
  events: UpstreamEvent[];
  /** The answer as a client would show it: texts appended, a replace restarting it. */
  text: string;
  end?: Extract<UpstreamEvent, { kind: 'end' }>;
  error?: unknown;
}

/** Every event of one ask, until it completes or fails. */
export function heard(events$: Observable<UpstreamEvent>): Promise<Heard> {
  return new Promise((resolve) => {
    const result: Heard = { events: [], text: '' };
    events$.subscribe({
      next: (event) => {
        result.events.push(event);
        if (event.kind === 'text') result.text += event.text;
        if (event.kind === 'replace') result.text = event.text;
        if (event.kind === 'end') result.end = event;
      },
      complete: () => resolve(result),
      error: (error: unknown) => resolve({ ...result, error }),
    });
  });
}
