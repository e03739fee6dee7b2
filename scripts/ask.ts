/**
 * Asks one app of `APPS` directly, through its provider's adapter (the way the service does), and
 * prints the answer as it streams: `npm run dify-chat`'s sibling for any provider.
 *
 *   npm run ask -- --app NAME --query "什么是 RAG？" [--conversation-id ID] [--user NAME]
 *                  [--apps '{"NAME":{…}}' | env APPS | --apps-file FILE.json | env APPS_FILE]
 *   npm run ask -- --local openai|ragflow|fastgpt --query "…"
 *
 * `--local` starts that provider's local server on loopback and asks it, so a fresh clone can try
 * each provider with no account. The answer goes to stdout; ids, steps, usage and sources to stderr.
 */
import axios from 'axios';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { lastValueFrom, tap } from 'rxjs';
import { LocalDifyServer, LocalFastGptServer, LocalRagflowServer } from '../src/local-dify';
import { InMemorySessionStore, SessionRecords } from '../src/session';
import { createUpstream, parseProviderSettings, UpstreamError, UpstreamLimits } from '../src/upstream';

const { values } = parseArgs({
  options: {
    app: { type: 'string', short: 'a' },
    query: { type: 'string', short: 'q' },
    'conversation-id': { type: 'string', short: 'c' },
    user: { type: 'string', short: 'u', default: 'ask-cli' },
    apps: { type: 'string' },
    'apps-file': { type: 'string' },
    local: { type: 'string' },
  },
});

/** The service's defaults (DIFY_TIMEOUT and its siblings). */
const LIMITS: UpstreamLimits = {
  timeoutMs: 60_000,
  firstTokenTimeoutMs: 60_000,
  totalTimeoutMs: 600_000,
  retries: 2,
  retryBaseMs: 250,
  maxEventChars: 8 * 1024 * 1024,
};

interface Closable {
  close(): Promise<void>;
}

/** The app entry to ask, and the local server to close afterwards, if one was started. */
async function chosenApp(): Promise<{ name: string; entry: Record<string, unknown>; server?: Closable }> {
  if (values.local) return localApp(values.local);
  const json = values.apps ?? process.env.APPS ?? readOptional(values['apps-file'] ?? process.env.APPS_FILE);
  if (!json) throw new Error('No apps: set APPS (JSON), APPS_FILE, --apps or --apps-file, or try --local openai|ragflow|fastgpt');
  const apps = JSON.parse(json) as Record<string, Record<string, unknown>>;
  const name = values.app ?? (Object.keys(apps).length === 1 ? Object.keys(apps)[0] : undefined);
  if (!name || !apps[name]) throw new Error(`Name an app with --app: one of ${Object.keys(apps).join(', ')}`);
  return { name, entry: apps[name] };
}

async function localApp(provider: string): Promise<{ name: string; entry: Record<string, unknown>; server: Closable }> {
  if (provider === 'openai') {
    const server = new LocalDifyServer({ record: false });
    const { baseUrl } = await server.listen();
    return { name: 'local', server, entry: { provider, base_url: baseUrl, api_key: 'app-local-dify', model: 'local-rag' } };
  }
  if (provider === 'ragflow') {
    const server = new LocalRagflowServer({ thinking: true });
    const { baseUrl } = await server.listen();
    return { name: 'local', server, entry: { provider, base_url: baseUrl, api_key: 'local-key', chat_id: 'local-chat' } };
  }
  if (provider === 'fastgpt') {
    const server = new LocalFastGptServer();
    const { baseUrl } = await server.listen();
    return { name: 'local', server, entry: { provider, base_url: baseUrl, api_key: 'local-key' } };
  }
  throw new Error('--local takes openai, ragflow or fastgpt (npm run dify-chat asks the local Dify)');
}

function readOptional(path: string | undefined): string | undefined {
  return path ? readFileSync(path, 'utf8') : undefined;
}

async function main(): Promise<void> {
  if (!values.query) throw new Error('Usage: npm run ask -- --app NAME --query "your question" (or --local openai|ragflow|fastgpt)');
  const { name, entry, server } = await chosenApp();
  try {
    const parsed = parseProviderSettings(name, entry);
    if (parsed.provider === 'dify') throw new Error(`${name} is a Dify app: ask it with npm run dify-chat`);
    const sessions = new SessionRecords(new InMemorySessionStore(60_000, 10));
    const upstream = createUpstream(parsed, { http: axios.create({ maxRedirects: 0 }), limits: LIMITS, sessions });
    await lastValueFrom(
      upstream
        .ask({
          query: values.query,
          user: values.user,
          conversationId: values['conversation-id'],
          inputs: entry.inputs as Record<string, unknown>,
        })
        .pipe(
          tap((event) => {
            if (event.kind === 'text') process.stdout.write(event.text);
            if (event.kind === 'replace') process.stdout.write(`\n[the answer was replaced by:]\n${event.text}`);
            if (event.kind === 'progress' && event.step) console.error(`[${event.step.type} ${event.step.name ?? ''} ${event.step.state}]`);
            if (event.kind === 'end') {
              process.stdout.write('\n');
              console.error(
                `conversation_id: ${event.conversationId || '(none: the session keeps the history)'}\nmessage_id: ${event.messageId}`,
              );
              if (event.usage) console.error(`usage: ${JSON.stringify(event.usage)}`);
              for (const source of event.retrieverResources)
                console.error(`source: ${source.document_name ?? '?'} (score ${source.score ?? '?'})`);
            }
          }),
        ),
    );
  } finally {
    await server?.close();
  }
}

main().catch((error: unknown) => {
  if (error instanceof UpstreamError) console.error(`${error.provider} call failed (${error.kind}): ${error.message}`);
  else console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
