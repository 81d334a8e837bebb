import pino, { type Logger } from 'pino';
import { trace } from '@opentelemetry/api';

export type { Logger } from 'pino';

/**
 * Paths never written to logs: credentials, tokens and message bodies (docs/architecture.md, Observability).
 */
export const REDACTED_PATHS = [
  'password',
  'pass',
  'token',
  'accessToken',
  'refreshToken',
  'access_token',
  'refresh_token',
  'authorization',
  'headers.authorization',
  'req.headers.authorization',
  'req.headers.cookie',
  'html',
  'text',
  'textBody',
  'body',
  'raw',
  '*.password',
  '*.pass',
  '*.token',
  '*.accessToken',
  '*.refreshToken',
  '*.html',
  '*.text',
  '*.textBody',
  '*.body',
  '*.raw',
];

export interface LoggerOptions {
  service: string;
  level?: string;
  /** Defaults to stdout; tests pass a stream to read the JSON lines back. */
  destination?: pino.DestinationStream;
}

/** JSON logs with the active trace id, so a log line leads to its trace. */
export function createLogger(options: LoggerOptions): Logger {
  return pino(
    {
      level: options.level ?? process.env.LOG_LEVEL ?? 'info',
      base: { service: options.service },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      formatters: { level: (label) => ({ level: label }) },
      mixin() {
        const span = trace.getActiveSpan();
        if (!span) return {};
        const ctx = span.spanContext();
        return { trace_id: ctx.traceId, span_id: ctx.spanId };
      },
    },
    options.destination ?? pino.destination({ sync: false }),
  );
}
