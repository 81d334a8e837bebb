/**
 * Shared by start.mjs and test.mjs: one line per component saying where it came from, with any
 * password in the database URL masked (an env-provided URL may carry a real one).
 */
export function describeInfrastructure(infra) {
  const url = new URL(infra.databaseUrl);
  if (url.password !== '') url.password = '***';
  return [
    `postgres: ${infra.sources.postgres.padEnd(9)} ${url.toString()}`,
    `kafka:    ${infra.sources.kafka.padEnd(9)} ${infra.kafkaBrokers.join(',')}`,
    `mail:     ${infra.sources.mail.padEnd(9)} smtp ${infra.mail.host}:${infra.mail.smtpPort}, imap ${infra.mail.host}:${infra.mail.imapPort}`,
  ];
}

/** The variables services and tests read their endpoints from. */
export function infrastructureEnv(infra) {
  return {
    DATABASE_URL: infra.databaseUrl,
    KAFKA_BROKERS: infra.kafkaBrokers.join(','),
    MAIL_HOST: infra.mail.host,
    SMTP_PORT: String(infra.mail.smtpPort),
    IMAP_PORT: String(infra.mail.imapPort),
  };
}
