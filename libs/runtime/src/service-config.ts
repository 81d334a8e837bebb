import { z } from 'zod';
import { KAFKA_SASL_MECHANISMS } from '@telltale/kafka';
import { identityConfigShape } from './identity/identity-config';

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

const booleanFlag = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

/** Variables every service reads (README, "Configuration"). */
export const baseConfigShape = {
  DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL'),
  KAFKA_BROKERS: z
    .string()
    .min(1)
    .transform((v) => v.split(',').map((b) => b.trim()).filter(Boolean))
    .pipe(z.array(z.string().regex(/^[^\s:]+:\d{1,5}$/, 'must be host:port')).min(1)),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  HOST: z.string().default('0.0.0.0'),
  RUN_MIGRATIONS: booleanFlag.default(true),
  /** Namespaces topics and consumer groups on a shared Kafka cluster, e.g. `staging.`. */
  KAFKA_TOPIC_PREFIX: z.string().regex(/^[A-Za-z0-9._-]{0,100}$/, 'letters, digits, . _ - only').default(''),
  /**
   * TLS and SASL to the brokers (README, "Configuration"); checked together and read by
   * `kafkaClientSecurity`. The CA file is PEM (the system's CAs when unset); the password comes from
   * KAFKA_SASL_PASSWORD or, for a mounted Secret, KAFKA_SASL_PASSWORD_FILE.
   */
  KAFKA_SSL: booleanFlag.default(false),
  KAFKA_SSL_CA_FILE: z.string().min(1).max(4096).optional(),
  KAFKA_SSL_REJECT_UNAUTHORIZED: booleanFlag.default(true),
  KAFKA_SASL_MECHANISM: z.enum(KAFKA_SASL_MECHANISMS).optional(),
  KAFKA_SASL_USERNAME: z.string().min(1).max(1024).optional(),
  KAFKA_SASL_PASSWORD: z.string().min(1).max(1024).optional(),
  KAFKA_SASL_PASSWORD_FILE: z.string().min(1).max(4096).optional(),
  /**
   * Port of the Prometheus endpoint (`GET /metrics`), apart from PORT so it never reaches the public
   * edge. 0 (the default) picks a free port and logs it, so services started side by side (tests,
   * one process running all six) never collide; the chart sets 9464.
   */
  METRICS_PORT: z.coerce.number().int().min(0).max(65535).default(0),
  /** Who may call the service: identity key set and service credentials (libs/runtime/src/identity). */
  ...identityConfigShape,
};

export const booleanConfigFlag = booleanFlag;

/**
 * Validates the environment at start-up. A missing or bad variable names itself (never its value,
 * which may be a secret) and the service refuses to start.
 */
export function loadConfig<S extends z.ZodObject>(schema: S, env: NodeJS.ProcessEnv = process.env): z.output<S> {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  throw new ConfigError(result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
}
