import { Injectable } from '@nestjs/common';
import { HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';
import { DifyApps } from '../dify';
import { ProviderName, Upstream, Upstreams } from '../upstream';
import { Metrics } from '../metrics';

/** Orchestrators probe every few seconds: one upstream call per app serves all the probes of this window. */
const PROBE_CACHE_MS = 5000;

/** One app's readiness in the body: never its key or base URL. */
interface AppState {
  status: 'up' | 'down';
  provider: ProviderName;
  embedded: boolean;
  reason?: string;
}

/**
 * Each app's upstream is ready when it answers a cheap authenticated call with the app's key (its
 * port's whyUnready: Dify's /parameters, OpenAI's /models, RAGFlow's chat; FastGPT has none). The indicator
 * is up while any app is: one app's upstream down must not take the instance (and every other app
 * with it) out of rotation; `apps` names each app's state.
 */
@Injectable()
export class DifyHealthIndicator {
  private readonly cached = new Map<string, { at: number; verdict: Promise<string | undefined> }>();

  constructor(
    private readonly indicator: HealthIndicatorService,
    private readonly upstreams: Upstreams,
    private readonly dify: DifyApps,
    private readonly metrics: Metrics,
  ) {}

  async check(key = 'dify'): Promise<HealthIndicatorResult> {
    const result = this.indicator.check(key);
    const states = await Promise.all(
      this.upstreams.all().map(async ([name, upstream]) => [name, await this.state(name, upstream)] as const),
    );
    const apps = Object.fromEntries(states);
    this.metrics.dependencyChecked(
      'dify',
      states.some(([, state]) => state.status === 'up'),
    );
    const embedded = states.some(([, state]) => state.embedded);
    if (states.some(([, state]) => state.status === 'up')) return result.up({ embedded, apps });
    // One app: its reason, as before apps existed.
    const reason = states.length === 1 ? states[0][1].reason : 'no app answers';
    return result.down({ embedded, reason, apps });
  }

  private async state(name: string, upstream: Upstream): Promise<AppState> {
    const about = { provider: upstream.provider, embedded: this.dify.find(name)?.settings.embedded ?? false };
    const reason = await this.probe(name, upstream);
    return reason === undefined ? { status: 'up', ...about } : { status: 'down', ...about, reason };
  }

  /** Why the app's upstream is not ready, or undefined when it is; at most one call per app per PROBE_CACHE_MS. */
  private probe(name: string, upstream: Upstream): Promise<string | undefined> {
    const now = Date.now();
    const cached = this.cached.get(name);
    if (cached && now - cached.at < PROBE_CACHE_MS) return cached.verdict;
    const verdict = upstream.whyUnready();
    this.cached.set(name, { at: now, verdict });
    return verdict;
  }
}
