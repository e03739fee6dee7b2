import { Module } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { LoggerModule } from 'nestjs-pino';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { appConfig } from '../config';
import { REDACTION, redactedUrl } from './redaction';

/** Nest's level names in pino's words. */
const PINO_LEVELS: Record<string, string> = { fatal: 'fatal', error: 'error', warn: 'warn', log: 'info', debug: 'debug', verbose: 'trace' };

/**
 * Structured JSON logs (pino) with a request id on every HTTP request's lines (X-Request-Id when the
 * caller sends one) and credentials redacted (redaction.ts): auth headers, cookies, key fields, and
 * credential parameters in URLs, however their names are encoded.
 */
@Module({
  imports: [
    LoggerModule.forRootAsync({
      inject: [appConfig.KEY],
      useFactory: (config: ConfigType<typeof appConfig>) => ({
        pinoHttp: {
          level: PINO_LEVELS[config.logLevel] ?? 'info',
          redact: REDACTION,
          genReqId: (req: IncomingMessage) => {
            const given = req.headers['x-request-id'];
            return typeof given === 'string' && given.length <= 128 ? given : randomUUID();
          },
          serializers: {
            req: (req: { id: unknown; method: string; url: string }) => ({ id: req.id, method: req.method, url: redactedUrl(req.url) }),
          },
          // Orchestrators probe health every few seconds: those requests are not worth a line each.
          autoLogging: { ignore: (req: IncomingMessage) => (req.url ?? '').startsWith('/health') },
        },
      }),
    }),
  ],
})
export class LoggingModule {}
