/**
 * Asks a Dify app directly, the way the service does, and prints the answer as it streams.
 *
 *   npm run dify-chat -- --query "什么是 RAG？" [--blocking] [--conversation-id ID] [--user NAME]
 *                        [--api-key app-… | env DIFY_API_KEY] [--base-url URL | env DIFY_BASE_URL]
 *                        [--app NAME: one of APPS, DEFAULT_APP when not given]
 *
 * The answer goes to stdout; ids, usage and sources go to stderr. Without a key it asks the embedded
 * local Dify-compatible server, like the service does.
 */
import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { NestFactory } from '@nestjs/core';
import { lastValueFrom, tap } from 'rxjs';
import { parseArgs } from 'node:util';
import { AppsConfig, appsConfig, difyConfig } from '../src/config';
import { DifyApps, DifyChatRequest, DifyError, DifyModule } from '../src/dify';
import { DifyEndpointModule } from '../src/dify-endpoint.module';

@Module({ imports: [ConfigModule.forRoot({ isGlobal: true, load: [difyConfig, appsConfig] }), DifyEndpointModule, DifyModule] })
class DifyChatModule {}

const { values } = parseArgs({
  options: {
    query: { type: 'string', short: 'q' },
    blocking: { type: 'boolean', default: false },
    'conversation-id': { type: 'string', short: 'c' },
    user: { type: 'string', short: 'u', default: 'dify-chat-cli' },
    'api-key': { type: 'string' },
    'base-url': { type: 'string' },
    app: { type: 'string' },
  },
});

async function main(): Promise<void> {
  if (!values.query) throw new Error('Usage: npm run dify-chat -- --query "your question" [--blocking] [--conversation-id ID]');
  if (values['api-key']) process.env.DIFY_API_KEY = values['api-key'];
  if (values['base-url']) process.env.DIFY_BASE_URL = values['base-url'];
  const app = await NestFactory.createApplicationContext(DifyChatModule, { logger: ['error', 'warn'] });
  app.enableShutdownHooks();
  const { apps, defaultApp } = app.get<AppsConfig>(appsConfig.KEY);
  const name = values.app ?? defaultApp;
  if (!apps.has(name)) throw new Error(`No app ${name} in APPS (apps: ${[...apps.keys()].join(', ')})`);
  const dify = app.get(DifyApps).get(name).client;
  const request: DifyChatRequest = { query: values.query, user: values.user, conversationId: values['conversation-id'] };
  try {
    if (values.blocking) {
      const result = await lastValueFrom(dify.chat(request));
      process.stdout.write(`${result.answer}\n`);
      report(result.conversationId, result.messageId, result.usage, result.retrieverResources);
    } else {
      let ids = { conversationId: '', messageId: '' };
      await lastValueFrom(
        dify.streamChat(request).pipe(
          tap((event) => {
            ids = { conversationId: event.conversationId, messageId: event.messageId };
            if (event.kind === 'text') process.stdout.write(event.text);
            if (event.kind === 'replace') process.stdout.write(`\n[the answer was replaced by:]\n${event.text}`);
            if (event.kind === 'end') {
              process.stdout.write('\n');
              report(ids.conversationId, ids.messageId, event.usage, event.retrieverResources);
            }
          }),
        ),
      );
    }
  } finally {
    await app.close();
  }
}

function report(
  conversationId: string,
  messageId: string,
  usage: unknown,
  sources: Array<{ document_name?: string; score?: number }>,
): void {
  console.error(`conversation_id: ${conversationId}\nmessage_id: ${messageId}`);
  if (usage) console.error(`usage: ${JSON.stringify(usage)}`);
  for (const source of sources) console.error(`source: ${source.document_name ?? '?'} (score ${source.score ?? '?'})`);
}

main().catch((error: unknown) => {
  if (error instanceof DifyError) {
    console.error(`Dify call failed (${error.kind}): ${error.message}`);
  } else {
    console.error(error instanceof Error ? error.message : error);
  }
  process.exit(1);
});
