/**
 * The Dify-compatible server on its own:   npm run local-dify -- [--port 5001] [--help]
 * Point the service (or any Dify client) at the printed base URL with the printed key.
 */
import { parseArgs } from 'node:util';
import { AppMode } from './local-dify.types';
import { LocalDifyServer } from './local-dify-server';

const HELP = `Usage: npm run local-dify -- [options]
  --port N                 port (default 5001)
  --host H                 interface (default 127.0.0.1)
  --api-key KEY            an accepted key, repeatable (default app-local-dify)
  --knowledge-dir DIR      markdown knowledge base (default: the built-in one)
  --chunk-chars N          answer code points per message event (default 6)
  --chunk-delay-ms N       pause between message events (default 25)
  --first-chunk-delay-ms N pause before the first one (default 150)
  --ping-interval-ms N     keep-alive pings (default 10000)
  --split-writes           cut frames at random bytes, as a network may
  --crlf                   \\r\\n line endings
  --legacy-json            Dify's pre-1.8.1 JSON style
  --app-mode MODE          chat | agent-chat | advanced-chat (default chat)
  --no-tts                 text to speech off (default on, as the service's embedded server has it:
                           /text-to-audio, tts_message events)`;

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '5001' },
    host: { type: 'string', default: '127.0.0.1' },
    'api-key': { type: 'string', multiple: true },
    'knowledge-dir': { type: 'string' },
    'chunk-chars': { type: 'string' },
    'chunk-delay-ms': { type: 'string' },
    'first-chunk-delay-ms': { type: 'string' },
    'ping-interval-ms': { type: 'string' },
    'split-writes': { type: 'boolean' },
    crlf: { type: 'boolean' },
    'legacy-json': { type: 'boolean' },
    'app-mode': { type: 'string' },
    'no-tts': { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  },
});

const number = (value: string | undefined) => (value === undefined ? undefined : Number(value));

async function main(): Promise<void> {
  if (values.help) {
    console.log(HELP);
    return;
  }
  const options = Object.fromEntries(
    Object.entries({
      apiKeys: values['api-key'],
      knowledgeDir: values['knowledge-dir'],
      chunkChars: number(values['chunk-chars']),
      chunkDelayMs: number(values['chunk-delay-ms']),
      firstChunkDelayMs: number(values['first-chunk-delay-ms']),
      pingIntervalMs: number(values['ping-interval-ms']),
      splitWrites: values['split-writes'],
      crlf: values.crlf,
      legacyJson: values['legacy-json'],
      appMode: values['app-mode'] as AppMode | undefined,
      tts: !values['no-tts'],
    }).filter(([, value]) => value !== undefined),
  );
  const server = new LocalDifyServer({ ...options, record: false });
  const { baseUrl } = await server.listen(Number(values.port), values.host);
  console.log(`Local Dify-compatible server at ${baseUrl}\nAPI key: ${server.options.apiKeys[0]}`);
  const shutdown = () => void server.close().then(() => process.exit(0));
  process.once('SIGINT', shutdown);
  process.once('SIGTERM', shutdown);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
