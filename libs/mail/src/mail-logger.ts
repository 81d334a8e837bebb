/**
 * The logging surface the adapters need; a pino logger satisfies it. Adapters log ids, folders
 * and counts, never credentials or message bodies (docs/architecture.md, Observability).
 */
export interface MailLogger {
  debug(fields: Record<string, unknown>, message: string): void;
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
  error(fields: Record<string, unknown>, message: string): void;
}

export const silentMailLogger: MailLogger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};
