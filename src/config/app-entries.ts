/** The platforms an app's knowledge base may live on (src/upstream/ has one adapter each). */
export type AppProvider = 'dify' | 'openai' | 'ragflow' | 'fastgpt';

/** One app of the deployment: a knowledge base behind one upstream app (a Dify app and its key, or another provider's). */
export interface AppEntry {
  provider: AppProvider;
  baseUrl: string;
  /** Unset only for the app built from an unset DIFY_API_KEY: the embedded local server answers it. */
  apiKey?: string;
  /** The app's input variables, sent with every query (a session's hello inputs override them). */
  inputs: Record<string, unknown>;
  /** Who may use the app; undefined: every authenticated principal. */
  principals?: readonly string[];
  /**
   * A non-Dify app's entry as written (model, chat_id, …): src/upstream/ checks its provider's fields
   * at start-up (config imports no other module, and the adapters own what their settings mean).
   */
  providerFields?: Readonly<Record<string, unknown>>;
}

/** App names go into URLs, log lines and metric labels: short and plain. */
const APP_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
const COMMON_FIELDS = ['provider', 'base_url', 'api_key', 'inputs', 'principals'];
/** Each provider's own fields besides the common ones: names only, their values are src/upstream/'s to check. */
const PROVIDER_FIELDS: Record<AppProvider, string[]> = {
  dify: [],
  openai: ['model', 'system_prompt', 'extra_body', 'history_turns', 'history_chars'],
  ragflow: ['chat_id', 'stream'],
  fastgpt: [],
};
const isProvider = (name: unknown): name is AppProvider => typeof name === 'string' && Object.hasOwn(PROVIDER_FIELDS, name);

/**
 * The apps of `APPS` or `APPS_FILE` (`source` names which, for the messages), each entry checked. Throws
 * one Error listing every problem, each naming the app and the field; no value is ever echoed (a
 * misplaced key could be anywhere). `defaultBaseUrl` is DIFY_BASE_URL, for entries without `base_url`.
 */
export function parseAppEntries(parsed: unknown, source: string, defaultBaseUrl: string): Map<string, AppEntry> {
  if (!isObject(parsed)) throw invalid([`${source}: must be an object of apps by name, e.g. {"hr":{"api_key":"app-…"}}`]);
  const names = Object.keys(parsed);
  if (names.length === 0) throw invalid([`${source}: names no app`]);
  const problems: string[] = [];
  const apps = new Map<string, AppEntry>();
  for (const name of names) {
    const at = (field?: string) => `${source}: app "${APP_NAME.test(name) ? name : '(a bad name)'}"${field ? `: ${field}` : ''}`;
    if (!APP_NAME.test(name)) {
      problems.push(`${at()}: names are 1-64 letters, digits, '.', '_' or '-', starting with a letter or digit`);
      continue;
    }
    const entry = parsed[name];
    if (!isObject(entry)) {
      problems.push(`${at()}: must be an object with api_key (and base_url, inputs, principals)`);
      continue;
    }
    const before = problems.length;
    const { provider = 'dify', api_key: apiKey, inputs = {}, principals } = entry;
    if (!isProvider(provider)) {
      problems.push(`${at('provider')}: must be one of ${Object.keys(PROVIDER_FIELDS).join(', ')}`);
      continue;
    }
    const known = new Set([...COMMON_FIELDS, ...PROVIDER_FIELDS[provider]]);
    for (const field of Object.keys(entry)) {
      if (!known.has(field)) problems.push(`${at(field)}: unknown field for provider ${provider} (known: ${[...known].join(', ')})`);
    }
    // DIFY_BASE_URL is Dify's: another provider's app names its own server.
    const baseUrl = entry.base_url ?? (provider === 'dify' ? defaultBaseUrl : undefined);
    const urlProblem = baseUrl === undefined ? "required, the provider's server" : baseUrlProblem(baseUrl);
    if (urlProblem) problems.push(`${at('base_url')}: ${urlProblem}`);
    if (typeof apiKey !== 'string' || apiKey.trim() === '') problems.push(`${at('api_key')}: required, the app's API key`);
    if (!isObject(inputs)) problems.push(`${at('inputs')}: must be an object, e.g. {"lang":"en"}`);
    const allowList = principalsProblem(principals);
    if (allowList) problems.push(`${at('principals')}: ${allowList}`);
    if (problems.length > before) continue;
    apps.set(name, {
      provider,
      baseUrl: (baseUrl as string).replace(/\/+$/, ''),
      apiKey: apiKey as string,
      inputs: inputs as Record<string, unknown>,
      ...(principals === undefined ? {} : { principals: principals as string[] }),
      ...(provider === 'dify' ? {} : { providerFields: entry }),
    });
  }
  if (problems.length) throw invalid(problems);
  return apps;
}

/** Why `url` cannot be an app's base URL, or undefined. */
export function baseUrlProblem(url: unknown): string | undefined {
  if (typeof url !== 'string') return 'must be an http(s) URL';
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'must be an http(s) URL';
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return 'must be an http(s) URL';
  // The HTTP client would send them as Basic authorization in place of the key's Bearer: every call would get 401.
  if (parsed.username || parsed.password) return 'must not carry credentials (user:password@): the app is called with its api_key';
  return undefined;
}

function principalsProblem(principals: unknown): string | undefined {
  if (principals === undefined) return undefined;
  if (!Array.isArray(principals) || !principals.every((p) => typeof p === 'string' && p !== '')) {
    return 'must be a list of principal names';
  }
  if (principals.length === 0) return 'lists nobody: leave it out to let every principal use the app';
  return undefined;
}

export function invalid(problems: string[]): Error {
  return new Error(`Invalid configuration:\n${problems.map((problem) => `  ${problem}`).join('\n')}`);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
