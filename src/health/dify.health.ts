import { Injectable } from '@nestjs/common';
import { HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import { firstValueFrom } from 'rxjs';
import { DifyClient, DifySettings } from '../dify';
import { Metrics } from '../metrics';

/** Orchestrators probe every few seconds: one Dify call serves all the probes of this window. */
const PROBE_CACHE_MS = 5000;

/** Dify is ready when it answers an authenticated call with our key. */
@Injectable()
export class DifyHealthIndicator {
  private cached?: { at: number; verdict: Promise<string | undefined> };

  constructor(
    private readonly indicator: HealthIndicatorService,
    private readonly dify: DifyClient,
    private readonly settings: DifySettings,
    private readonly metrics: Metrics,
  ) {}

  async check(key = 'dify'): Promise<HealthIndicatorResult> {
    const result = this.indicator.check(key);
    const embedded = this.settings.embedded;
    const failure = await this.probe();
    this.metrics.dependencyChecked('dify', failure === undefined);
    return failure === undefined ? result.up({ embedded }) : result.down({ embedded, reason: failure });
  }

  /** Why Dify is not ready, or undefined when it is; at most one call per PROBE_CACHE_MS. */
  private probe(): Promise<string | undefined> {
    const now = Date.now();
    if (!this.cached || now - this.cached.at >= PROBE_CACHE_MS) {
      const verdict = firstValueFrom(this.dify.probe()).then(
        () => undefined,
        (error: unknown) => (error instanceof Error ? error.message : 'unreachable'),
      );
      this.cached = { at: now, verdict };
    }
    return this.cached.verdict;
  }
}
