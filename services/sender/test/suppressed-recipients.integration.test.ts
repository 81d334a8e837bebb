import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { Kafka, logLevel, type Producer } from 'kafkajs';
import { suppressionChangedTopic, type EmailSendRequested, type SuppressionChanged } from '@telltale/contracts';
import { buildEvent } from '@telltale/kafka';
import { sharedLocalIdentity, type StartedService } from '@telltale/runtime';
import { createTestDatabase, eventually } from '@telltale/testing';
import { generateSigningKeySpec } from '@telltale/tracking';
import { SenderConfig, startSender } from '../src';
import { SendEmailUseCase } from '../src/sending/send-email.use-case';

/**
 * The sender's last line of defence (issue 15), against real PostgreSQL and Kafka: it keeps the
 * organisations' suppression lists from suppression.changed.v1 and refuses to send when the To or a
 * CC is on its organisation's list, before asking the sequencer or the mailbox anything.
 */

function env(name: string): string {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set: run with \`npm test\``);
  return v;
}

const ORG = randomUUID();
const prefix = `sender-supp-${randomBytes(4).toString('hex')}.`;
let sender: StartedService;
let producer: Producer;
let drop: () => Promise<void>;

before(async () => {
  const db = await createTestDatabase(env('DATABASE_URL'));
  drop = db.drop;
  const identity = await sharedLocalIdentity();
  sender = await startSender(
    SenderConfig.parse({
      ...identity.env(),
      ...identity.senderEnv(),
      DATABASE_URL: db.url,
      KAFKA_BROKERS: env('KAFKA_BROKERS'),
      KAFKA_TOPIC_PREFIX: prefix,
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'silent',
      TRACKING_BASE_URL: 'https://t.telltale.test',
      TRACKING_SIGNING_KEYS: generateSigningKeySpec('k1'),
      // Never reached: the refusal comes first.
      SEQUENCER_URL: 'http://127.0.0.1:9',
      MAILBOX_SYNC_URL: 'http://127.0.0.1:9',
    }),
  );
  producer = new Kafka({ clientId: 'sender-suppression-test', brokers: env('KAFKA_BROKERS').split(','), logLevel: logLevel.NOTHING }).producer();
  await producer.connect();
});

after(async () => {
  await producer?.disconnect();
  await sender?.stop();
  await drop?.();
});

async function announce(change: Partial<SuppressionChanged>): Promise<void> {
  const payload: SuppressionChanged = {
    suppressionId: randomUUID(),
    orgId: ORG,
    address: 'boss@buyer.test',
    change: 'added',
    reason: 'unsubscribed',
    source: { kind: 'one_click', id: randomUUID(), detail: null },
    since: '2026-12-01T10:00:00.000Z',
    liftReason: null,
    liftedBy: null,
    occurredAt: new Date().toISOString(),
    ...change,
  };
  const event = buildEvent(suppressionChangedTopic, payload, { orgId: payload.orgId });
  await producer.send({ topic: prefix + event.topic, messages: [{ key: event.key, value: JSON.stringify(event.payload), headers: event.headers }] });
}

const projected = async (address: string) =>
  ((await sender.runtime.dataSource.query(`SELECT suppression_id FROM sender.suppressed_address WHERE org_id = $1 AND address = $2`, [ORG, address])) as { suppression_id: string }[])[0];

function request(cc: string): EmailSendRequested {
  return {
    sendRequestId: randomUUID(),
    orgId: ORG,
    mailboxId: randomUUID(),
    enrollmentId: randomUUID(),
    sequenceId: randomUUID(),
    stepNumber: 1,
    from: { address: 'rep@seller.test', name: null },
    to: [{ address: 'pat@buyer.test', name: null }],
    cc: [{ address: cc, name: null }],
    subject: 'Hello',
    html: null,
    text: 'Hi',
    replyToMessageId: null,
    tracking: { opens: false, clicks: false },
    notAfter: null,
    requestedAt: new Date().toISOString(),
  } as EmailSendRequested;
}

test('a suppressed CC: the email is not sent (PERMANENT, naming the address and why); lifted, the entry is gone', async () => {
  const suppressionId = randomUUID();
  await announce({ suppressionId, address: 'boss@buyer.test' });
  await eventually('the projection', () => projected('boss@buyer.test'), { timeoutMs: 20_000, intervalMs: 50 });

  const useCase = sender.app.get(SendEmailUseCase);
  const outcome = await sender.runtime.transaction((m) => useCase.execute(request('Boss@Buyer.test'), m));
  assert.equal(outcome.outcome, 'not-sent');
  assert.equal(outcome.outcome === 'not-sent' && outcome.code, 'PERMANENT');
  assert.match(outcome.outcome === 'not-sent' ? outcome.reason : '', /^address_suppressed: boss@buyer\.test is on the organisation's suppression list \(unsubscribed since 2026-12-01T10:00:00\.000Z\)$/);
  const [failed] = (await sender.runtime.dataSource.query(`SELECT payload FROM sender.outbox WHERE topic LIKE '%email.send-failed.v1' ORDER BY seq DESC LIMIT 1`)) as { payload: { code: string; reason: string } }[];
  assert.equal(failed?.payload.code, 'PERMANENT');
  assert.match(failed?.payload.reason ?? '', /address_suppressed/);

  // Lifting another entry of the address changes nothing; lifting this one removes it.
  await announce({ suppressionId: randomUUID(), address: 'boss@buyer.test', change: 'lifted', liftReason: 'old', liftedBy: null });
  await announce({ suppressionId, address: 'boss@buyer.test', change: 'lifted', liftReason: 'asked again', liftedBy: null });
  await eventually('the entry lifted', async () => ((await projected('boss@buyer.test')) === undefined ? true : undefined), { timeoutMs: 20_000, intervalMs: 50 });
});
