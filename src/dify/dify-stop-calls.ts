import { HttpService } from '@nestjs/axios';
import { Logger } from '@nestjs/common';
import { ShutdownSequence } from '../lifecycle';
import { DifySettings } from './dify-settings';
import { difyErrorFrom } from './dify-http-error';

const STOP_TIMEOUT_MS = 5000;

/**
 * One app's calls to Dify's `/chat-messages/:task_id/stop` and what waits on them: a stop that never
 * leaves the process lets Dify generate (and bill) on, so the shutdown's flush waits for them.
 */
export class DifyStopCalls {
  private readonly logger = new Logger('DifyClient');
  private readonly pending = new Set<Promise<void>>();

  constructor(
    private readonly http: HttpService,
    private readonly settings: DifySettings,
    sequence: ShutdownSequence,
  ) {
    sequence.register('flush', 'Dify stop calls', () => this.answered());
  }

  /**
   * Asks Dify to stop generating; resolves when Dify answered, or the call failed or timed out
   * (STOP_TIMEOUT_MS, or DIFY_TIMEOUT if shorter). Best effort: Dify answers success even when it
   * cannot stop. Only a stream call's teardown stops, and the call stays open until its stop resolves,
   * so the stop calls under way are as bounded as the answers (MAX_CONCURRENT_ANSWERS).
   */
  stop(taskId: string, user: string): Promise<void> {
    const call = this.http.axiosRef
      .post(
        this.settings.url(`/chat-messages/${encodeURIComponent(taskId)}/stop`),
        { user },
        {
          headers: this.settings.authHeader(),
          timeout: Math.min(STOP_TIMEOUT_MS, this.settings.limits.timeoutMs),
        },
      )
      .then(
        () => undefined,
        async (error: unknown) => {
          this.logger.warn(`Stopping Dify task ${taskId} failed: ${(await difyErrorFrom(error)).message}`);
        },
      );
    return this.track(call);
  }

  /** Work that may end in a stop call (a cancelled stream waiting for its task id): the flush waits for it too. */
  track(work: Promise<void>): Promise<void> {
    this.pending.add(work);
    void work.then(() => this.pending.delete(work));
    return work;
  }

  /** At shutdown, after every answer was cancelled: the stop calls under way (ShutdownSequence bounds the wait). */
  private async answered(): Promise<void> {
    await Promise.all(this.pending);
  }
}
