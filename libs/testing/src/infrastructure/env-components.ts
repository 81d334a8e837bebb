import type { KafkaEndpoint, MailServerEndpoint, PostgresEndpoint, StartedComponent } from './infrastructure.types';
import { probeKafka } from './kafka-readiness';
import { probeMailServer } from './mail-readiness';
import { probePostgres } from './postgres-readiness';
import { waitUntil } from './wait-until';

/**
 * Servers named by the environment are someone else's: we only check they answer (they may still
 * be starting, as in CI service containers), never start or stop them.
 */
const ENV_READY_TIMEOUT_MS = 60_000;

function external<T>(endpoint: T): StartedComponent<T> {
  return { source: 'env', endpoint, stop: async () => undefined };
}

export async function useEnvPostgres(endpoint: PostgresEndpoint): Promise<StartedComponent<PostgresEndpoint>> {
  await waitUntil(() => probePostgres(endpoint.databaseUrl), {
    what: 'the PostgreSQL server in DATABASE_URL',
    timeoutMs: ENV_READY_TIMEOUT_MS,
  });
  return external(endpoint);
}

export async function useEnvKafka(endpoint: KafkaEndpoint): Promise<StartedComponent<KafkaEndpoint>> {
  // Metadata only: an external cluster may forbid creating topics.
  await waitUntil(() => probeKafka(endpoint.brokers, 'metadata'), {
    what: `the Kafka brokers in KAFKA_BROKERS (${endpoint.brokers.join(',')})`,
    timeoutMs: ENV_READY_TIMEOUT_MS,
  });
  return external(endpoint);
}

export async function useEnvMail(endpoint: MailServerEndpoint): Promise<StartedComponent<MailServerEndpoint>> {
  await waitUntil(() => probeMailServer(endpoint.host, endpoint.smtpPort, endpoint.imapPort), {
    what: `the mail server in MAIL_HOST/SMTP_PORT/IMAP_PORT (${endpoint.host})`,
    timeoutMs: ENV_READY_TIMEOUT_MS,
  });
  return external(endpoint);
}
