import { Injectable } from '@nestjs/common';
import { HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import { firstValueFrom } from 'rxjs';
import { DifyApp, DifyApps } from '../dify';
import { Metrics } from '../metrics';

/** Orchestrators probe every few seconds: one Dify call per app serves all the probes of this window. */
const PROBE_CACHE_MS = 5000;

/** One app's readiness in the body: never its key or base URL. */
interface AppState {
  status: 'up' | 'down';
  embedded: boolean;
  reason?: string;
}

/**
 * Each app's Dify is ready when it answers an authenticated call with the app's key. The indicator
 * is up while any app is: one app's upstream down must not take the instance (and every other app
 * with it) out of rotation; `apps` names each app's state.
 */
@Injectable()
export class DifyHealthIndicator {
  private readonly cached = new Map<string, { at: number; verdict: Promise<string | undefined> }>();

  constructor(
    private readonly indicator: HealthIndicatorService,
    private readonly dify: DifyApps,
    private readonly metrics: Metrics,
  ) {}

  async check(key = 'dify'): Promise<HealthIndicatorResult> {
    const result = this.indicator.check(key);
    const all = this.dify.all();
    const states = await Promise.all(all.map(async (app): Promise<[string, AppState]> => [app.name, await this.state(app)]));
    const apps = Object.fromEntries(states);
    this.metrics.dependencyChecked(
      'dify',
      states.some(([, state]) => state.status === 'up'),
    );
    const embedded = all.some(({ settings }) => settings.embedded);
    if (states.some(([, state]) => state.status === 'up')) return result.up({ embedded, apps });
    // One app: its reason, as before apps existed.
    const reason = states.length === 1 ? states[0][1].reason : 'no app answers';
    return result.down({ embedded, reason, apps });
  }

  private async state(app: DifyApp): Promise<AppState> {
    const embedded = app.settings.embedded;
    const reason = await this.probe(app);
    return reason === undefined ? { status: 'up', embedded } : { status: 'down', embedded, reason };
  }

  /** Why the app's Dify is not ready, or undefined when it is; at most one call per app per PROBE_CACHE_MS. */
  private probe(app: DifyApp): Promise<string | undefined> {
    const now = Date.now();
    const cached = this.cached.get(app.name);
    if (cached && now - cached.at < PROBE_CACHE_MS) return cached.verdict;
    const verdict = firstValueFrom(app.client.probe()).then(
      () => undefined,
      (error: unknown) => (error instanceof Error ? error.message : 'unreachable'),
    );
    this.cached.set(app.name, { at: now, verdict });
    return verdict;
  }
}
