import { Kafka, logLevel, type Producer } from 'kafkajs';
import { mailboxConnectionChangedTopic, type MailboxConnectionChanged } from '@telltale/contracts';
import type { ManualClock } from '@telltale/db';
import { buildEvent } from '@telltale/kafka';
import { sharedLocalIdentity, type StartedService } from '@telltale/runtime';
import { createLogger } from '@telltale/telemetry';
import { createTestDatabase, eventually } from '@telltale/testing';
import { MailboxDirectory } from '../src/mailboxes/mailbox-directory';
import { SequencerConfig } from '../src/sequencer.config';
import { startSequencer } from '../src/sequencer.app';
import { StepDispatcher } from '../src/scheduling/step-dispatcher';

export function requiredEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the suite with \`npm test\``);
  return value;
}

export interface SequencerUnderTest {
  sequencer: StartedService;
  /** The scheduler, ticked by the test (SEQUENCER_TICK_MS=0). */
  dispatcher: StepDispatcher;
  /** Produces the events the sequencer consumes (topics under `prefix`). */
  producer: Producer;
  databaseUrl: string;
  /** What mailbox-sync publishes when a mailbox changes state (enrolments name mailboxes the sequencer knows). */
  announceMailbox(mailbox: { orgId: string; mailboxId: string; emailAddress: string; state?: MailboxConnectionChanged['state']; changedAt: Date }): Promise<void>;
  /** Waits until the sequencer's view has the mailbox in this state. */
  mailboxKnown(orgId: string, mailboxId: string, state?: MailboxConnectionChanged['state']): Promise<void>;
  stop(): Promise<void>;
}

/** The sequencer on its own database and topic prefix, on the test's clock, with the process's local identity. */
export async function startSequencerUnderTest(prefix: string, clock: ManualClock, clientId: string): Promise<SequencerUnderTest> {
  const db = await createTestDatabase(requiredEnv('DATABASE_URL'));
  const sequencer = await startSequencer(
    SequencerConfig.parse({
      DATABASE_URL: db.url,
      KAFKA_BROKERS: requiredEnv('KAFKA_BROKERS'),
      KAFKA_TOPIC_PREFIX: prefix,
      HOST: '127.0.0.1',
      PORT: '0',
      LOG_LEVEL: 'error',
      SEQUENCER_TICK_MS: '0',
      ...(await sharedLocalIdentity()).env(),
    }),
    { clock, logger: createLogger({ service: 'sequencer', level: 'error' }) },
  );
  const producer = new Kafka({ clientId, brokers: requiredEnv('KAFKA_BROKERS').split(','), logLevel: logLevel.NOTHING }).producer();
  await producer.connect();
  return {
    sequencer,
    dispatcher: sequencer.app.get(StepDispatcher),
    producer,
    databaseUrl: db.url,
    async announceMailbox({ orgId, mailboxId, emailAddress, state = 'connected', changedAt }) {
      const event = buildEvent(mailboxConnectionChangedTopic, { orgId, mailboxId, provider: 'imap', emailAddress, previousState: null, state, reason: null, changedAt: changedAt.toISOString() }, { orgId });
      await producer.send({ topic: prefix + event.topic, messages: [{ key: event.key, value: JSON.stringify(event.payload), headers: event.headers }] });
    },
    async mailboxKnown(orgId, mailboxId, state = 'connected') {
      await eventually(`mailbox ${mailboxId} ${state}`, async () => ((await sequencer.app.get(MailboxDirectory).find(orgId, mailboxId))?.state === state ? true : undefined), { timeoutMs: 20_000, intervalMs: 50 });
    },
    async stop() {
      await producer.disconnect();
      await sequencer.stop();
      await db.drop();
    },
  };
}
