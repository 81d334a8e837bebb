import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, randomInt, randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { ImapFlow } from 'imapflow';
import { Kafka, logLevel } from 'kafkajs';
import { Client } from 'pg';
import { campaignStopTopic, replyDetectedTopic } from '@telltale/contracts';
import { ManualClock } from '@telltale/db';
import { StepDispatcher } from '@telltale/sequencer';
import { createTestDatabase, startSalesforceSandbox, type SalesforceSandbox } from '@telltale/testing';
import { callApi, enrollWhenMailboxKnown, eventually, requiredEnv, sandboxMailbox, startTelltaleSystem, type TelltaleSystem } from '../src';
import { EventProducer } from '../src/event-producer';

/**
 * Issue 5, "a stop that never loses the race". Hundreds of rounds against real Kafka, PostgreSQL and
 * SMTP: each round is an enrollment in a 3-step sequence whose steps are all due at once, while a
 * reply's stop (campaign.stop.v1 or reply.detected.v1) is produced at a random moment. The scheduler
 * ticks continuously, so stops land before, between and during hand-overs and send claims.
 *
 * The proof compares, per enrollment, the stop's commit point with every send claim: both are
 * written under the enrollment's row lock into `enrollment_event`, whose sequence number therefore
 * orders them as the lock did. No claim (and no hand-over) may follow the stop, and every message
 * that reached the prospect's SMTP inbox must be a claimed step (its Message-ID carries the send
 * request id).
 */

const ROUNDS = Number(process.env.RACE_ROUNDS ?? 300);
const WAVE = Number(process.env.RACE_WAVE ?? 20);
/** Stops are produced 0..STOP_WINDOW_MS after a wave starts: about the time a wave's three steps take to go out. */
const STOP_WINDOW_MS = Number(process.env.RACE_STOP_WINDOW_MS ?? 2500);
const ORG = randomUUID();
const REP = 'race-rep@telltale.test';
const PROSPECT = 'racer@finishline.example';
const prefix = `race-${randomBytes(4).toString('hex')}.`;

let dbDrop: () => Promise<void>;
let db: Client;
let salesforce: SalesforceSandbox;
let system: TelltaleSystem;
let producer: EventProducer;
const clock = new ManualClock(new Date());
const http = (base: string, path: string, body?: unknown) => callApi(base, path, ORG, { body });


async function deliveredMessageIds(address: string): Promise<string[]> {
  const client = new ImapFlow({ host: requiredEnv('MAIL_HOST'), port: Number(requiredEnv('IMAP_PORT')), secure: false, auth: { user: address, pass: 'any' }, logger: false });
  await client.connect();
  try {
    const lock = await client.getMailboxLock('INBOX');
    try {
      const ids: string[] = [];
      if (client.mailbox && client.mailbox.exists > 0) {
        for await (const m of client.fetch('1:*', { envelope: true })) ids.push(m.envelope?.messageId ?? '(none)');
      }
      return ids;
    } finally {
      lock.release();
    }
  } finally {
    await client.logout();
  }
}

before(async () => {
  const created = await createTestDatabase(requiredEnv('DATABASE_URL'));
  dbDrop = created.drop;
  db = new Client({ connectionString: created.url });
  await db.connect();
  salesforce = await startSalesforceSandbox();
  system = await startTelltaleSystem({
    databaseUrl: created.url,
    kafkaBrokers: requiredEnv('KAFKA_BROKERS'),
    topicPrefix: prefix,
    clock,
    // Refused claims are expected here by the hundred; keep the output to real problems.
    logLevel: 'error',
    salesforce: { loginUrl: salesforce.url, clientId: salesforce.clientId, clientSecret: salesforce.clientSecret, username: 'rep@telltale.sandbox', password: 'telltale-sandbox-password' },
  });
  producer = new EventProducer(new Kafka({ clientId: 'stop-race-test', brokers: requiredEnv('KAFKA_BROKERS').split(','), logLevel: logLevel.NOTHING }), prefix);
  await producer.start();
});

after(async () => {
  await producer?.stop();
  await system?.stop();
  await salesforce?.stop();
  await db?.end();
  await dbDrop?.();
});

async function produceStop(enrollmentId: string, sequenceId: string, round: number): Promise<void> {
  const replyId = randomUUID();
  const now = new Date().toISOString();
  if (round % 2 === 0) {
    await producer.produce(campaignStopTopic, { stopId: randomUUID(), orgId: ORG, enrollmentId, reason: 'replied', causeId: replyId, sentEmailId: null, occurredAt: now }, ORG);
    return;
  }
  await producer.produce(
    replyDetectedTopic,
    {
      replyId,
      orgId: ORG,
      mailboxId: randomUUID(),
      sentEmailId: randomUUID(),
      enrollmentId,
      sequenceId,
      kind: 'reply',
      relation: 'prospect',
      matchedBy: 'in_reply_to',
      from: { address: PROSPECT, name: null },
      inboundMessageId: `<reply-${replyId}@finishline.example>`,
      providerMessageId: replyId,
      subject: 'Re: Round',
      snippet: 'Stop, please.',
      returnDate: null,
      receivedAt: now,
      detectedAt: now,
    },
    ORG,
  );
}

test(`a reply's stop never loses the race against a due step (${ROUNDS} rounds)`, { timeout: 180_000 }, async (t) => {
  const mailbox = await http(system.mailboxSync.url, '/v1/mailboxes', sandboxMailbox(REP));
  assert.equal(mailbox.status, 201, JSON.stringify(mailbox.body));
  const dispatcher = system.sequencer.app.get(StepDispatcher);

  // One sequence per round: the prospect can be enrolled once per sequence, and one inbox holds
  // every delivery of the run.
  const rounds: { round: number; sequenceId: string; enrollmentId: string }[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    const sequence = await http(system.sequencer.url, '/v1/sequences', {
      name: `Race ${round}`,
      tracking: { opens: false, clicks: false },
      steps: [{ subject: `Round ${round}`, text: 'One.' }, { text: 'Two.' }, { text: 'Three.' }],
    });
    assert.equal(sequence.status, 201, JSON.stringify(sequence.body));
    rounds.push({ round, sequenceId: sequence.body.id as string, enrollmentId: '' });
  }

  for (let start = 0; start < ROUNDS; start += WAVE) {
    const wave = rounds.slice(start, start + WAVE);
    for (const r of wave) {
      const enrolled = await enrollWhenMailboxKnown(system.sequencer.url, r.sequenceId, ORG, {
        mailboxId: mailbox.body.id,
        from: { address: REP, name: 'Race Rep' },
        prospect: { email: PROSPECT, name: null },
      });
      assert.equal(enrolled.status, 201, JSON.stringify(enrolled.body));
      r.enrollmentId = enrolled.body.id as string;
    }
    let ticking = true;
    const ticker = (async () => {
      while (ticking) {
        await dispatcher.tick();
        await delay(2);
      }
    })();
    await Promise.all(
      wave.map(async (r) => {
        await delay(randomInt(STOP_WINDOW_MS + 1));
        await produceStop(r.enrollmentId, r.sequenceId, r.round);
      }),
    );
    const ids = wave.map((r) => r.enrollmentId);
    // Settled: every enrollment ended, every hand-over is sent or refused (a cancelled one is still
    // on its way to the sender, whose claim must be refused).
    await eventually(
      `wave ${start / WAVE + 1} to settle`,
      async () => {
        const { rows } = await db.query(
          `SELECT (SELECT count(*)::int FROM sequencer.enrollment WHERE id = ANY($1) AND state NOT IN ('stopped', 'completed')) AS running,
                  (SELECT count(*)::int FROM sequencer.step_dispatch WHERE enrollment_id = ANY($1) AND status NOT IN ('sent', 'failed')) AS in_flight`,
          [ids],
        );
        return rows[0].running === 0 && rows[0].in_flight === 0;
      },
      { timeoutMs: 60_000, intervalMs: 50 },
    );
    ticking = false;
    await ticker;
  }

  const events = (
    await db.query(`SELECT seq::bigint AS seq, enrollment_id, transition, detail FROM sequencer.enrollment_event WHERE org_id = $1 ORDER BY seq`, [ORG])
  ).rows as { seq: string; enrollment_id: string; transition: string; detail: { sendRequestId?: string } }[];
  const dispatches = (await db.query(`SELECT id, enrollment_id, status, failure FROM sequencer.step_dispatch WHERE org_id = $1`, [ORG])).rows as {
    id: string;
    enrollment_id: string;
    status: string;
    failure: string | null;
  }[];

  const outcome = { stoppedBeforeStep1: 0, stoppedAfter1: 0, stoppedAfter2: 0, completedBeforeStop: 0, claimsRefused: 0, handOversCancelled: 0 };
  const claimed = new Set<string>();
  for (const r of rounds) {
    const mine = events.filter((e) => e.enrollment_id === r.enrollmentId);
    const stop = mine.find((e) => e.transition === 'stop');
    const claims = mine.filter((e) => e.transition === 'step-claimed');
    for (const c of claims) claimed.add(c.detail.sendRequestId ?? '');
    const sent = dispatches.filter((d) => d.enrollment_id === r.enrollmentId && d.status === 'sent');
    for (const d of sent) assert.ok(claims.some((c) => c.detail.sendRequestId === d.id), `round ${r.round}: step sent without a claim`);
    if (!stop) {
      assert.equal(sent.length, 3, `round ${r.round}: not stopped, so all three steps went out`);
      outcome.completedBeforeStop++;
      continue;
    }
    const stopSeq = BigInt(stop.seq);
    for (const e of mine) {
      if (e.transition === 'step-claimed' || e.transition === 'step-dispatched') {
        assert.ok(BigInt(e.seq) < stopSeq, `round ${r.round}: ${e.transition} (seq ${e.seq}) after the stop (seq ${stop.seq})`);
      }
    }
    assert.equal(sent.length, claims.length, `round ${r.round}: every claimed step was sent`);
    if (sent.length === 0) outcome.stoppedBeforeStep1++;
    else if (sent.length === 1) outcome.stoppedAfter1++;
    else outcome.stoppedAfter2++;
    const refused = dispatches.filter((d) => d.enrollment_id === r.enrollmentId && d.status === 'failed' && (d.failure ?? '').startsWith('ENROLLMENT_NOT_ACTIVE'));
    outcome.claimsRefused += refused.length;
    outcome.handOversCancelled += mine.filter((e) => e.transition === 'step-dispatched' && !claims.some((c) => c.detail.sendRequestId === e.detail.sendRequestId)).length;
  }

  // SMTP: what reached the prospect is exactly what was claimed, nothing more.
  const sentCount = dispatches.filter((d) => d.status === 'sent').length;
  const delivered = await eventually('every sent step in the inbox', async () => {
    const ids = await deliveredMessageIds(PROSPECT);
    return ids.length >= sentCount ? ids : undefined;
  });
  assert.equal(delivered.length, sentCount, 'one SMTP delivery per sent step');
  for (const messageId of delivered) {
    const sendRequestId = /^<([0-9a-f-]{36})@/.exec(messageId)?.[1] ?? '';
    assert.ok(claimed.has(sendRequestId), `${messageId} reached the inbox without a claim`);
  }
  assert.equal(claimed.size, sentCount);
  t.diagnostic(`race outcomes: ${JSON.stringify({ rounds: ROUNDS, smtpDeliveries: delivered.length, ...outcome })}`);
  assert.ok(outcome.stoppedAfter1 + outcome.stoppedAfter2 + outcome.stoppedBeforeStep1 > 0, 'stops landed mid-sequence');
});
