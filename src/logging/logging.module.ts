import { Module } from '@nestjs/common';
import { ConfigType } from '@nestjs/config';
import { LoggerModule } from 'nestjs-pino';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { appConfig } from '../config';
import { logFields } from '../tracing';
import { REDACTION, redactedUrl } from './redaction';
import { isStaticFile } from './static-file';

/** Nest's level names in pino's words. */
const PINO_LEVELS: Record<string, string> = { fatal: 'fatal', error: 'error', warn: 'warn', log: 'info', debug: 'debug', verbose: 'trace' };

/** One line per event: time, level, `[context] message`, and a request's method, URL, status and duration. */
const PRETTY_TRANSPORT = {
  target: 'pino-pretty',
  options: {
    translateTime: 'SYS:HH:MM:ss.l',
    ignore: 'pid,hostname,context,req,res,responseTime',
    messageFormat:
      '{if context}[{context}] {end}{msg}{if res.statusCode}: {req.method} {req.url} {res.statusCode} in {responseTime} ms{end}',
    singleLine: true,
  },
};

/**
 * Structured JSON logs (pino) with a request id on every HTTP request's lines (X-Request-Id when the
 * caller sends one) and credentials redacted (redaction.ts): auth headers, cookies, key fields, and
 * credential parameters in URLs, however their names are encoded. With `logFormat` pretty (a terminal
 * in development, or LOG_FORMAT=pretty) the same redacted events are printed by pino-pretty instead,
 * in a worker thread that pino flushes when the process exits.
 */
@Module({
  imports: [
    LoggerModule.forRootAsync({
      inject: [appConfig.KEY],
      useFactory: (config: ConfigType<typeof appConfig>) => ({
        pinoHttp: {
          level: PINO_LEVELS[config.logLevel] ?? 'info',
          redact: REDACTION,
          // trace_id and span_id of the span the line was written in (tracing on, a sampled span).
          mixin: logFields,
          genReqId: (req: IncomingMessage) => {
            const given = req.headers['x-request-id'];
            return typeof given === 'string' && given.length <= 128 ? given : randomUUID();
          },
          serializers: {
            req: (req: { id: unknown; method: string; url: string }) => ({ id: req.id, method: req.method, url: redactedUrl(req.url) }),
            // The response's headers say nothing a reader of the logs needs.
            res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
          },
          // Opening the demo page fetches a dozen files: they would bury the lines that matter.
          customLogLevel: (req: IncomingMessage) => (isStaticFile(req.url ?? '') ? 'debug' : 'info'),
          // Orchestrators probe health every few seconds: those requests are not worth a line each.
          autoLogging: { ignore: (req: IncomingMessage) => (req.url ?? '').startsWith('/health') },
          ...(config.logFormat === 'pretty' && { transport: PRETTY_TRANSPORT }),
        },
      }),
    }),
  ],
})
export class LoggingModule {}
