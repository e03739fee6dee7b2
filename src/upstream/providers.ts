import type { AxiosInstance } from 'axios';
import type { DifyClient } from '../dify';
import type { SessionRecords } from '../session';
import { DifyUpstream } from './dify/dify-upstream';
import { FastGptUpstream } from './fastgpt/fastgpt-upstream';
import { parseFastGptSettings } from './fastgpt/fastgpt-settings';
import { OpenAiUpstream } from './openai/openai-upstream';
import { parseOpenAiSettings } from './openai/openai-settings';
import { TurnMemory } from './openai/turn-memory';
import { RagflowUpstream } from './ragflow/ragflow-upstream';
import { parseRagflowSettings } from './ragflow/ragflow-settings';
import { ProviderSettingsError } from './settings-fields';
import type { ProviderName, Upstream } from './upstream';
import { UpstreamLimits } from './upstream-limits';

/** What an adapter is built from: the HTTP client, the call bounds, the session store (memory), the app's DifyClient (Dify only). */
export interface UpstreamDeps {
  http: AxiosInstance;
  limits: UpstreamLimits;
  sessions: SessionRecords;
  /** The app's DifyClient: only a `dify` app has one. */
  dify?: DifyClient;
}

interface Provider<S> {
  parse(app: string, entry: Record<string, unknown>): S;
  create(settings: S, deps: UpstreamDeps): Upstream;
}

const provider = <S>(p: Provider<S>): Provider<unknown> => p;

/** Every provider: a fifth is one folder and one line here. Dify's settings are the registry's own (DifySettings). */
const PROVIDERS: Record<ProviderName, Provider<unknown>> = {
  dify: provider({
    parse: () => ({}),
    create: (_settings, { dify }) => {
      if (!dify) throw new Error('A dify app needs its DifyClient');
      return new DifyUpstream(dify);
    },
  }),
  openai: provider({
    parse: parseOpenAiSettings,
    create: (s, { http, limits, sessions }) =>
      new OpenAiUpstream(s, http, limits, new TurnMemory(sessions, s.historyTurns, s.historyChars)),
  }),
  ragflow: provider({ parse: parseRagflowSettings, create: (s, { http, limits }) => new RagflowUpstream(s, http, limits) }),
  fastgpt: provider({ parse: parseFastGptSettings, create: (s, { http, limits }) => new FastGptUpstream(s, http, limits) }),
};

/** An app entry's provider and its checked settings. */
export interface ProviderSettings {
  provider: ProviderName;
  settings: unknown;
}

/**
 * Validates an `APPS` entry's `provider` (default `dify`) and that provider's settings, as the app
 * registry reads them at start-up: a ProviderSettingsError names the app and the field, never a value.
 */
export function parseProviderSettings(app: string, entry: Record<string, unknown>): ProviderSettings {
  const name = entry.provider ?? 'dify';
  if (typeof name !== 'string' || !(name in PROVIDERS)) {
    throw new ProviderSettingsError(app, 'provider', `must be one of ${Object.keys(PROVIDERS).join(', ')}`);
  }
  const providerName = name as ProviderName;
  return { provider: providerName, settings: PROVIDERS[providerName].parse(app, entry) };
}

/** The app's adapter behind the port. */
export function createUpstream({ provider: name, settings }: ProviderSettings, deps: UpstreamDeps): Upstream {
  return PROVIDERS[name].create(settings, deps);
}
