import { DEFAULT_RECONNECT, planReconnect, ReconnectPlan, SocketEnding } from './reconnect-policy.ts';

const dropped: SocketEnding = { code: 1006, reason: '' };
const delay = (plan: ReconnectPlan) => (plan.retry ? plan.delayMs : undefined);
/** The wait at `attempt` when the random draw is `draw` (0 ≤ draw < 1). */
const waitAt = (attempt: number, draw: number, ending = dropped) => delay(planReconnect(ending, attempt, DEFAULT_RECONNECT, () => draw));

describe('planReconnect', () => {
  it('waits a random time up to a window that doubles with each failed attempt (full jitter), capped', () => {
    expect([0, 1, 2, 3, 4, 5, 6, 7, 20].map((attempt) => waitAt(attempt, 0.999_999))).toEqual([
      499, 999, 1999, 3999, 7999, 15_999, 29_999, 29_999, 29_999,
    ]);
    expect(waitAt(3, 0)).toBe(0);
    expect(waitAt(3, 0.5)).toBe(2000);
  });

  it('comes back at once after a drop, a shutdown (1001) or a server error, and after a refused upgrade it can outlast (503)', () => {
    for (const ending of [dropped, { code: 1001, reason: 'The service is shutting down' }, { code: 1011, reason: '' }]) {
      expect(waitAt(0, 0.5, ending)).toBe(250);
    }
    expect(waitAt(0, 0.5, { code: 1006, reason: '', httpStatus: 503 })).toBe(250);
  });

  it('slows down when told to: a rate-limit flood (1008), a slow reader (1013), too many sockets (HTTP 429)', () => {
    const slowDowns: SocketEnding[] = [
      { code: 1008, reason: 'Message rate limit exceeded again and again: closing the connection.' },
      { code: 1013, reason: 'client reads too slowly' },
      { code: 1006, reason: '', httpStatus: 429 },
    ];
    for (const ending of slowDowns) {
      expect(waitAt(0, 0, ending)).toBe(DEFAULT_RECONNECT.slowDownMs);
      expect(waitAt(0, 0.5, ending)).toBe(DEFAULT_RECONNECT.slowDownMs + 250);
    }
  });

  it('never retries what retrying cannot fix: a refused token or origin, or a session the server closed', () => {
    expect(planReconnect({ code: 1006, reason: '', httpStatus: 401 }, 0)).toEqual({
      retry: false,
      why: expect.stringMatching(/^unauthorized/),
    });
    expect(planReconnect({ code: 1008, reason: 'unauthorized' }, 0)).toEqual({ retry: false, why: expect.stringMatching(/^unauthorized/) });
    expect(planReconnect({ code: 1006, reason: '', httpStatus: 403 }, 0)).toEqual({
      retry: false,
      why: expect.stringMatching(/^forbidden/),
    });
    expect(planReconnect({ code: 1000, reason: 'session closed' }, 0)).toEqual({ retry: false, why: 'the server closed the session' });
  });

  it('takes its own base, cap and slow-down', () => {
    const options = { baseMs: 100, capMs: 1000, slowDownMs: 5000 };
    expect(delay(planReconnect(dropped, 2, options, () => 0.5))).toBe(200);
    expect(delay(planReconnect(dropped, 9, options, () => 0.5))).toBe(500);
    expect(delay(planReconnect({ code: 1013, reason: '' }, 0, options, () => 0.5))).toBe(5050);
  });
});
