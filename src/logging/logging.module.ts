import { Module } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { LoggerModule } from 'nestjs-pino';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { appConfig } from '../config';

/** Nest's level names in pino's words. */
const PINO_LEVELS: Record<string, string> = { fatal: 'fatal', error: 'error', warn: 'warn', log: 'info', debug: 'debug', verbose: 'trace' };

/** Keys that may carry credentials, wherever they appear in a log object. */
const REDACTED = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'res.headers["set-cookie"]',
  '*.apiKey',
  '*.api_key',
  '*.token',
  '*.password',
];

/**
 * Structured JSON logs (pino) with a request id on every HTTP request's lines (X-Request-Id when the
 * caller sends one) and credentials redacted: auth headers, cookies, `?token=` in URLs, key fields.
 */
@Module({
  imports: [
    LoggerModule.forRootAsync({
      inject: [appConfig.KEY],
      useFactory: (config: ConfigType<typeof appConfig>) => ({
        pinoHttp: {
          level: PINO_LEVELS[config.logLevel] ?? 'info',
          redact: { paths: REDACTED, censor: '[redacted]' },
          genReqId: (req: IncomingMessage) => {
            const given = req.headers['x-request-id'];
            return typeof given === 'string' && given.length <= 128 ? given : randomUUID();
          },
          serializers: {
            req: (req: { id: unknown; method: string; url: string }) => ({ id: req.id, method: req.method, url: withoutToken(req.url) }),
          },
          // Orchestrators probe health every few seconds: those requests are not worth a line each.
          autoLogging: { ignore: (req: IncomingMessage) => (req.url ?? '').startsWith('/health') },
        },
      }),
    }),
  ],
})
export class LoggingModule {}

/** A URL with any `token` query parameter censored. */
export function withoutToken(url: string): string {
  return url.replace(/([?&]token=)[^&#]*/gi, '$1[redacted]');
}
