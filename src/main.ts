import 'reflect-metadata';
import { Logger as NestLogger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import { AppModule } from './app.module';
import { setUpApp } from './app-setup';
import { startTracing } from './tracing';

async function bootstrap(): Promise<void> {
  // Before the app: off unless OTEL_EXPORTER_OTLP_ENDPOINT (or OTEL_TRACES_EXPORTER) asks for traces.
  startTracing();
  // Logs before the app is ready wait for pino, so every line has its format (JSON or LOG_FORMAT=pretty).
  const app = await NestFactory.create(AppModule, { abortOnError: false, bufferLogs: true });
  const logger = app.get(Logger);
  app.useLogger(logger);
  try {
    const config = setUpApp(app);
    // Ahead of the shutdown hooks' listeners, so it comes before anything the shutdown itself logs.
    for (const signal of ['SIGINT', 'SIGTERM'] as const)
      process.prependOnceListener(signal, () =>
        logger.log(`${signal} received: shutting down (answers in flight get up to ${config.shutdownGraceMs} ms)`, 'Bootstrap'),
      );
    await app.listen(config.port, config.host);
    logger.log(`realtime-rag listening on http://${config.host}:${config.port} (WebSocket ${config.wsPath})`, 'Bootstrap');
  } catch (error) {
    // What Nest held back during the failed start-up, then one line saying why (a Redis refusing
    // REDIS_URL's password, a port in use), all in the log's format; the exit lets pino write them.
    NestLogger.flush();
    logger.fatal(`Start-up failed: ${error instanceof Error ? error.message : String(error)}`, 'Bootstrap');
    process.exit(1);
  }
}

// Before the logger exists (an invalid configuration): a plain line on stderr, naming the variables.
bootstrap().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
