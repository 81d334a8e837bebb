import { z } from 'zod';
import type { KafkaEndpoint, MailServerEndpoint, PostgresEndpoint } from './infrastructure.types';

/** Endpoints the environment already provides; a component missing here gets provisioned. */
export interface EnvEndpoints {
  postgres?: PostgresEndpoint;
  kafka?: KafkaEndpoint;
  mail?: MailServerEndpoint;
}

export type Env = Readonly<Record<string, string | undefined>>;

const port = z.coerce.number().int().min(1).max(65535);

const databaseUrl = z.string().refine((value) => {
  try {
    const url = new URL(value);
    return (url.protocol === 'postgres:' || url.protocol === 'postgresql:') && url.hostname !== '';
  } catch {
    return false;
  }
}, 'must be a postgres:// URL with a host');

const broker = z.string().regex(/^[^\s:,]+:\d{1,5}$/, 'must be host:port');

/** An empty variable counts as unset, as shells and CI templates often export blanks. */
function read(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === undefined || value === '' ? undefined : value;
}

function parseOrThrow<T>(schema: z.ZodType<T>, value: unknown, name: string): T {
  const result = schema.safeParse(value);
  if (!result.success) {
    const reason = result.error.issues.map((issue) => issue.message).join('; ');
    throw new Error(`${name} is invalid: ${reason}`);
  }
  return result.data;
}

/**
 * Reads DATABASE_URL, KAFKA_BROKERS (comma-separated host:port) and MAIL_HOST + SMTP_PORT +
 * IMAP_PORT. The mail variables come as a set: a partial set is a mistake, not a request for a
 * local server, so it throws.
 */
export function readEnvEndpoints(env: Env): EnvEndpoints {
  const endpoints: EnvEndpoints = {};

  const dbUrl = read(env, 'DATABASE_URL');
  if (dbUrl !== undefined) endpoints.postgres = { databaseUrl: parseOrThrow(databaseUrl, dbUrl, 'DATABASE_URL') };

  const brokers = read(env, 'KAFKA_BROKERS');
  if (brokers !== undefined) {
    const list = brokers
      .split(',')
      .map((entry) => entry.trim())
      .filter((entry) => entry !== '');
    endpoints.kafka = { brokers: parseOrThrow(z.array(broker).min(1), list, 'KAFKA_BROKERS') };
  }

  const mailVars = ['MAIL_HOST', 'SMTP_PORT', 'IMAP_PORT'] as const;
  const [host, smtp, imap] = mailVars.map((name) => read(env, name));
  const setCount = [host, smtp, imap].filter((value) => value !== undefined).length;
  if (setCount === mailVars.length) {
    endpoints.mail = {
      host: parseOrThrow(z.string().min(1), host, 'MAIL_HOST'),
      smtpPort: parseOrThrow(port, smtp, 'SMTP_PORT'),
      imapPort: parseOrThrow(port, imap, 'IMAP_PORT'),
    };
  } else if (setCount > 0) {
    const missing = mailVars.filter((name) => read(env, name) === undefined);
    throw new Error(`mail server: MAIL_HOST, SMTP_PORT and IMAP_PORT must be set together; missing ${missing.join(', ')}`);
  }

  return endpoints;
}
