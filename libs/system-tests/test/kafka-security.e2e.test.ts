import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Kafka, RetryOptions } from 'kafkajs';
import { createKafka, ensureTopics, type KafkaSecurity } from '@telltale/kafka';
import { kafkaClientSecurity, type KafkaSecurityConfig, type StartedService } from '@telltale/runtime';
import { createLogger } from '@telltale/telemetry';
import { createTestCertificateAuthority, createTestDatabase, eventually, startSecuredLocalKafka, type SecuredKafka } from '@telltale/testing';
import { buildOpenUrl, generateSigningKeySpec, parseSigningKeys, signTrackingToken } from '@telltale/tracking';
import { loadReplyDetectorConfig, startReplyDetector } from '@telltale/reply-detector';
import { loadTrackerConfig, startTracker } from '@telltale/tracker';

// Kafka with SASL/SCRAM, and TLS (issue 12). This file starts a broker of its own that admits no
// one without a SCRAM password: a SASL_PLAINTEXT listener, and a SASL_SSL one whose certificate a
// throwaway CA signed. The clients are the project's own (createKafka with the options the
// services' configuration gives, ensureTopics, the services' runtimes).

function env(name: string): string {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set: run with \`npm test\``);
  return v;
}

const user = { name: 'telltale-services', password: randomBytes(16).toString('hex') };
const logger = createLogger({ service: 'kafka-security-test', level: 'silent' });
/** Fails fast where a test expects a refusal; the services keep their own retry settings. */
const noRetry: RetryOptions = { retries: 0 };
let workDir: string;
let broker: SecuredKafka;
let db: { url: string; drop(): Promise<void> };
const started: StartedService[] = [];

/** The Kafka variables as a deployment would set them (strings, as in the environment). */
function kafkaEnv(listener: 'sasl' | 'sasl-ssl', overrides: Record<string, string> = {}): Record<string, string> {
  const brokers = listener === 'sasl' ? broker.saslPlaintextBrokers : broker.saslSslBrokers!;
  return {
    DATABASE_URL: db.url,
    KAFKA_BROKERS: brokers.join(','),
    KAFKA_TOPIC_PREFIX: `ks-${randomBytes(3).toString('hex')}.`,
    ...(listener === 'sasl-ssl' ? { KAFKA_SSL: 'true', KAFKA_SSL_CA_FILE: broker.ca!.caFile } : {}),
    KAFKA_SASL_MECHANISM: 'scram-sha-512',
    KAFKA_SASL_USERNAME: user.name,
    KAFKA_SASL_PASSWORD: user.password,
    LOG_LEVEL: 'silent',
    HOST: '127.0.0.1',
    PORT: '0',
    ...overrides,
  };
}

/** What the services do with those variables: the reply-detector's config loader, then kafkaClientSecurity. */
function securityFrom(variables: Record<string, string>): { brokers: string[]; security: KafkaSecurity } {
  const config = loadReplyDetectorConfig(variables);
  return { brokers: config.KAFKA_BROKERS, security: kafkaClientSecurity(config satisfies KafkaSecurityConfig) };
}

function client(variables: Record<string, string>, retry?: RetryOptions): Kafka {
  const { brokers, security } = securityFrom(variables);
  return createKafka({ brokers, clientId: 'kafka-security-test', logger, security, ...(retry ? { retry } : {}) });
}

/** Produces one message to a new topic and reads it back, both through `kafka`. */
async function roundTrip(kafka: Kafka): Promise<void> {
  const topic = `ks-${randomBytes(4).toString('hex')}`;
  await ensureTopics(kafka, [topic], { partitions: 1 });
  const producer = kafka.producer();
  await producer.connect();
  const value = randomUUID();
  try {
    await producer.send({ topic, messages: [{ value }] });
  } finally {
    await producer.disconnect();
  }
  const consumer = kafka.consumer({ groupId: `${topic}-reader`, maxWaitTimeInMs: 100 });
  const received: string[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({ eachMessage: async ({ message }) => void received.push(message.value?.toString() ?? '') });
    await eventually('the message read back', () => received.includes(value), { timeoutMs: 20_000 });
  } finally {
    await consumer.disconnect();
  }
}

/** Runs `attempt`, which must fail; returns the error and how long the failure took. */
async function refusal(attempt: () => Promise<unknown>): Promise<{ error: Error; ms: number }> {
  const startedAt = Date.now();
  try {
    await attempt();
  } catch (error) {
    return { error: error as Error, ms: Date.now() - startedAt };
  }
  assert.fail('expected a refusal');
}

before(async () => {
  workDir = mkdtempSync(join(tmpdir(), 'telltale-kafka-security-'));
  db = await createTestDatabase(env('DATABASE_URL'));
  const startedAt = Date.now();
  broker = await startSecuredLocalKafka({ dataDir: join(workDir, 'kafka'), users: [user], tls: true });
  process.stderr.write(`# kafka-security: SASL broker ready in ${((Date.now() - startedAt) / 1000).toFixed(1)} s\n`);
});

after(async () => {
  for (const service of started.reverse()) await service.stop().catch(() => undefined);
  await broker?.stop();
  await db?.drop();
  rmSync(workDir, { recursive: true, force: true });
});

test('SCRAM-SHA-512 on the SASL_PLAINTEXT listener: createKafka, ensureTopics, produce and consume', async () => {
  await roundTrip(client(kafkaEnv('sasl')));
});

test('SCRAM-SHA-256 works too, with the same user', async () => {
  await roundTrip(client(kafkaEnv('sasl', { KAFKA_SASL_MECHANISM: 'scram-sha-256' })));
});

test('a wrong password or an unknown user is refused at once with the broker’s authentication error', async () => {
  const wrong: Record<string, string>[] = [{ KAFKA_SASL_PASSWORD: 'not-the-password' }, { KAFKA_SASL_USERNAME: 'nobody', KAFKA_SASL_MECHANISM: 'scram-sha-256' }];
  for (const overrides of wrong) {
    // The services' own retry settings: an authentication failure is not retried.
    const admin = client(kafkaEnv('sasl', overrides)).admin();
    const { error, ms } = await refusal(() => admin.connect());
    assert.equal(error.name, 'KafkaJSSASLAuthenticationError');
    assert.match(error.message, /SASL SCRAM SHA(256|512) authentication failed: .*invalid credentials/);
    assert.ok(!error.message.includes(user.password), 'the password is not in the error');
    assert.ok(ms < 5_000, `refused in ${ms} ms`);
  }
});

test('a service with the right credentials starts and is ready; with a wrong password its start fails with that error', async () => {
  const service = await startReplyDetector(loadReplyDetectorConfig(kafkaEnv('sasl')), { logger });
  started.push(service);
  assert.equal((await fetch(`${service.url}/health/ready`)).status, 200);

  const { error, ms } = await refusal(() => startReplyDetector(loadReplyDetectorConfig(kafkaEnv('sasl', { KAFKA_SASL_PASSWORD: 'wrong' })), { logger }));
  assert.match(error.message, /SASL SCRAM SHA512 authentication failed/);
  assert.ok(ms < 15_000, `the start gave up after ${ms} ms`);
});

test('TLS: the CA file verifies the broker; another CA or the system CAs are refused; rejectUnauthorized=false connects unverified', async () => {
  await roundTrip(client(kafkaEnv('sasl-ssl')));

  const otherCa = await createTestCertificateAuthority(join(workDir, 'other-ca'), 'Some other CA');
  for (const caFile of [otherCa.caFile, undefined]) {
    const variables = kafkaEnv('sasl-ssl', caFile === undefined ? {} : { KAFKA_SSL_CA_FILE: caFile });
    if (caFile === undefined) delete variables.KAFKA_SSL_CA_FILE;
    const admin = client(variables, noRetry).admin();
    const { error, ms } = await refusal(() => admin.connect());
    assert.match(error.message, /certificate/, error.message);
    assert.ok(ms < 10_000, `refused in ${ms} ms`);
  }

  const unverified = kafkaEnv('sasl-ssl', { KAFKA_SSL_REJECT_UNAUTHORIZED: 'false' });
  delete unverified.KAFKA_SSL_CA_FILE;
  const admin = client(unverified, noRetry).admin();
  await admin.connect();
  await admin.disconnect();
});

test('the tracker over SASL_SSL, password from a file: a pixel hit reaches its engagement store through its produce worker', async () => {
  const passwordFile = join(workDir, 'kafka-password');
  writeFileSync(passwordFile, `${user.password}\n`, { mode: 0o600 });
  const keySpec = generateSigningKeySpec('k1');
  const variables = kafkaEnv('sasl-ssl', { TRACKING_SIGNING_KEYS: keySpec, TRACKER_SPILL_DIR: join(workDir, 'spill') });
  delete variables.KAFKA_SASL_PASSWORD;
  const tracker = await startTracker(loadTrackerConfig({ ...variables, KAFKA_SASL_PASSWORD_FILE: passwordFile }), { logger });
  started.push(tracker);

  const orgId = randomUUID();
  const token = signTrackingToken({ kind: 'open', orgId, sentEmailId: randomUUID(), issuedAt: new Date(Date.now() - 3_600_000) }, parseSigningKeys(keySpec));
  const pixel = await fetch(buildOpenUrl(tracker.url, token));
  assert.equal(pixel.status, 200);
  await pixel.arrayBuffer();
  // The hit goes worker thread → Kafka (SASL_SSL) → the tracker's own consumer → tracker.engagement.
  await eventually(
    'the hit in the engagement store',
    async () => {
      const rows = (await tracker.runtime.dataSource.query('SELECT count(*)::int AS n FROM tracker.engagement WHERE org_id = $1', [orgId])) as { n: number }[];
      return rows[0]!.n === 1;
    },
    { timeoutMs: 30_000, intervalMs: 200 },
  );
});
