import { runInNewContext } from 'node:vm';

export interface ProbeRun {
  /** What the probe fetched: its URL and request options. */
  requests: Array<{ url: string; init?: RequestInit }>;
  /** The code it exited with, if it did. */
  exitCode?: number;
}

/**
 * Runs the script of a `node -e` health probe with `env` as its environment and a fetch that answers
 * `answer` (a response, or an error as for a refused connection) without any network, and reports
 * what it asked for and how it exited.
 */
export async function runProbe(script: string, env: Record<string, string>, answer: { ok: boolean } | Error): Promise<ProbeRun> {
  const run: ProbeRun = { requests: [] };
  const fetch = (url: string, init?: RequestInit) => {
    run.requests.push({ url, init });
    return answer instanceof Error ? Promise.reject(answer) : Promise.resolve(answer);
  };
  runInNewContext(script, { fetch, process: { env, exit: (code: number) => (run.exitCode ??= code) } });
  await new Promise((resolve) => setImmediate(resolve));
  return run;
}
