import { registerAs } from '@nestjs/config';
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { AppEntry, invalid, parseAppEntries } from './app-entries';
import { difyConfig } from './dify.config';

/** The app every deployment without APPS has: today's one Dify app. */
export const DEFAULT_APP_NAME = 'default';

export interface AppsConfig {
  /** Every app of the deployment, by name. */
  apps: ReadonlyMap<string, AppEntry>;
  /** The app of a connection or batch task that names none (DEFAULT_APP). */
  defaultApp: string;
}

/**
 * The apps: `APPS` (JSON) or `APPS_FILE` (JSON or YAML), or without either one app named `default`
 * from DIFY_API_KEY, DIFY_BASE_URL and DIFY_INPUTS (unset key: the embedded local server), as before
 * apps existed. A bad value stops start-up naming the app and field, never echoing a value.
 */
export const appsConfig = registerAs('apps', (): AppsConfig => {
  const dify = difyConfig();
  const { APPS: json, APPS_FILE: file, DEFAULT_APP: defaultApp, NODE_ENV } = process.env;
  if (json && file) throw invalid(['APPS, APPS_FILE: set one of the two']);
  let apps: Map<string, AppEntry>;
  if (json) apps = parseAppEntries(parseJson(json), 'APPS', dify.baseUrl);
  else if (file) apps = parseAppEntries(readAppsFile(file), 'APPS_FILE', dify.baseUrl);
  else {
    if (!dify.apiKey && NODE_ENV === 'production') {
      throw invalid([
        'DIFY_API_KEY: required when NODE_ENV=production (the embedded local Dify server is for development only), or set APPS',
      ]);
    }
    apps = new Map([[DEFAULT_APP_NAME, { provider: 'dify', baseUrl: dify.baseUrl, apiKey: dify.apiKey, inputs: dify.inputs }]]);
  }
  return { apps, defaultApp: chosenDefault(apps, defaultApp || undefined) };
});

/** DEFAULT_APP, else `default`, else the only app. */
function chosenDefault(apps: ReadonlyMap<string, AppEntry>, named: string | undefined): string {
  if (named !== undefined) {
    if (!apps.has(named)) throw invalid([`DEFAULT_APP: names no app of APPS (apps: ${[...apps.keys()].join(', ')})`]);
    return named;
  }
  if (apps.has(DEFAULT_APP_NAME)) return DEFAULT_APP_NAME;
  if (apps.size === 1) return [...apps.keys()][0];
  throw invalid([`DEFAULT_APP: required when APPS has several apps and none is named "${DEFAULT_APP_NAME}"`]);
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    // JSON.parse's message quotes the text around the fault: it could be a key.
    throw invalid(['APPS: not valid JSON']);
  }
}

/** JSON is YAML too: one parser reads either. */
function readAppsFile(path: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw invalid([`APPS_FILE: cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? 'error'})`]);
  }
  try {
    return parseYaml(text);
  } catch (error) {
    // The parser's message quotes the lines around the fault: only where it is.
    const line = (error as { linePos?: Array<{ line: number }> }).linePos?.[0]?.line;
    throw invalid([`APPS_FILE: ${path} is not valid JSON or YAML${line ? ` (line ${line})` : ''}`]);
  }
}
