import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { Logger } from 'nestjs-pino';
import { AppModule } from './app.module';
import { setUpApp } from './app-setup';

async function bootstrap(): Promise<void> {
  // Logs before the app is ready wait for pino, so every line is structured JSON.
  const app = await NestFactory.create(AppModule, { abortOnError: false, bufferLogs: true });
  const logger = app.get(Logger);
  app.useLogger(logger);
  const config = setUpApp(app);
  await app.listen(config.port, config.host);
  logger.log(`realtime-rag listening on http://${config.host}:${config.port} (WebSocket ${config.wsPath})`, 'Bootstrap');
}

bootstrap().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
