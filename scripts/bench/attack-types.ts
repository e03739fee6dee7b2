/** What an attack of `npm run bench -- --attack` is (attacks.ts lists them). */

/** The service under attack. */
export interface Target {
  wsUrl: string;
  httpUrl: string;
}

/**
 * What an attack counts itself: requests sent, statuses met, bytes received… Two names the harness
 * reads: `cycles`, things done and undone again (memory kept per cycle), and `held`, things held open
 * at the end (peak memory per thing).
 */
export type AttackFigures = Record<string, number | string | Record<string, number>>;

export interface Attack {
  name: string;
  /** Settings of the service it runs against, on top of the default limits. */
  env?: Record<string, string>;
  /** Runs until `until` (performance.now() ms), then closes what it opened. */
  run(target: Target, until: number): Promise<AttackFigures | void>;
}
