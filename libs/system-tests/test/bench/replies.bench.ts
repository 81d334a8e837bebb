import { randomBytes, randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { Kafka, logLevel } from 'kafkajs';
import { Client } from 'pg';
import { campaignStopTopic, emailSentTopic, mailboxConnectionChangedTopic, mailboxMessageReceivedTopic } from '@telltale/contracts';
import { sharedLocalIdentity, localIdentityHeaders, type StartedService } from '@telltale/runtime';
import { ReplyDetectorConfig, startReplyDetector } from '@telltale/reply-detector';
import { MailboxDirectory, SequencerConfig, startSequencer } from '@telltale/sequencer';
import { createLogger } from '@telltale/telemetry';
import { createTestDatabase } from '@telltale/testing';
import { eventually } from '../../src/eventually';
import { EventProducer } from '../../src/event-producer';
import { TopicRecorder } from '../../src/topic-recorder';

/**
 * `npm run bench:replies`: latency from `mailbox.message-received.v1` produced to
 * `campaign.stop.v1` consumed by the sequencer, over 1 000 human replies on local Kafka, with the
 * real reply-detector and sequencer in this process.
 *
 * Each reply answers a step-1 email of its own enrollment (In-Reply-To). Replies are produced at a
 * steady rate (`--rate`, per second); the consumption time of each campaign.stop.v1 is when the
 * sequencer's consumer transaction handled it (`processed_event.processed_at`, joined on the
 * event id). Also reported: when each enrollment actually stopped (the first of reply.detected.v1
 * and campaign.stop.v1 to arrive stops it). Prints one JSON object.
 */

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const value = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} must be a positive number`);
  return value;
}

function requiredEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run with \`npm run bench:replies\``);
  return value;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

function summary(latencies: number[]): { count: number; p50Ms: number; p90Ms: number; p99Ms: number; maxMs: number; meanMs: number } {
  const sorted = [...latencies].sort((a, b) => a - b);
  const round = (n: number) => Math.round(n * 10) / 10;
  return {
    count: sorted.length,
    p50Ms: round(percentile(sorted, 50)),
    p90Ms: round(percentile(sorted, 90)),
    p99Ms: round(percentile(sorted, 99)),
    maxMs: round(sorted.at(-1) ?? Number.NaN),
    meanMs: round(sorted.reduce((a, b) => a + b, 0) / Math.max(1, sorted.length)),
  };
}

async function main(): Promise<void> {
  const replies = arg('replies', 1000);
  const rate = arg('rate', 50);
  /** Replies spread over this many reps' mailboxes (mailbox.message-received.v1 is keyed by mailbox). */
  const mailboxCount = arg('mailboxes', 20);
  const org = randomUUID();
  const mailboxIds = Array.from({ length: mailboxCount }, () => randomUUID());
  const rep = 'bench-rep@telltale.test';
  const prefix = `bench-replies-${randomBytes(4).toString('hex')}.`;
  const brokers = requiredEnv('KAFKA_BROKERS');
  const database = await createTestDatabase(requiredEnv('DATABASE_URL'));
  const db = new Client({ connectionString: database.url });
  await db.connect();
  const common = { ...(await sharedLocalIdentity()).env(), DATABASE_URL: database.url, KAFKA_BROKERS: brokers, KAFKA_TOPIC_PREFIX: prefix, LOG_LEVEL: 'error', HOST: '127.0.0.1', PORT: '0' };
  const logger = (service: string) => createLogger({ service, level: 'error' });
  const services: StartedService[] = [];
  const kafka = new Kafka({ clientId: 'bench-replies', brokers: brokers.split(','), logLevel: logLevel.NOTHING });
  const producer = new EventProducer(kafka, prefix);
  const recorder = new TopicRecorder(kafka, [prefix + campaignStopTopic.name]);
  try {
    const sequencer = await startSequencer(SequencerConfig.parse({ ...common, SEQUENCER_TICK_MS: '0' }), {
      logger: logger('sequencer'),
    });
    services.push(sequencer);
    services.push(await startReplyDetector(ReplyDetectorConfig.parse(common), { logger: logger('reply-detector') }));
    await producer.start();
    await recorder.start();

    const post = async (path: string, body: unknown) => {
      const res = await fetch(`${sequencer.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...(await localIdentityHeaders(org)) }, body: JSON.stringify(body) });
      if (res.status !== 201) throw new Error(`POST ${path}: ${res.status} ${await res.text()}`);
      return (await res.json()) as { id: string };
    };
    const sequence = await post('/v1/sequences', { name: 'Bench', steps: [{ subject: 'Hello', text: 'One.' }, { delayDays: 3, text: 'Two.' }] });
    // Play mailbox-sync: the reps' mailboxes are connected, which is how the sequencer knows them.
    for (const mailboxId of mailboxIds) {
      await producer.produce(
        mailboxConnectionChangedTopic,
        { orgId: org, mailboxId, provider: 'imap', emailAddress: rep, previousState: null, state: 'connected', reason: null, changedAt: new Date().toISOString() },
        org,
      );
    }
    const directory = sequencer.app.get(MailboxDirectory);
    await eventually('the sequencer knows every mailbox', async () => ((await Promise.all(mailboxIds.map((id) => directory.find(org, id)))).every(Boolean) ? true : undefined), {
      timeoutMs: 30_000,
      intervalMs: 100,
    });

    // Enroll, then play the sender: step 1 of every enrollment was sent.
    const prospects: { enrollmentId: string; address: string; messageId: string; mailboxId: string }[] = [];
    for (let i = 0; i < replies; i += 20) {
      const batch = await Promise.all(
        Array.from({ length: Math.min(20, replies - i) }, async (_, j) => {
          const address = `prospect${i + j}@company${i + j}.example`;
          const mailboxId = mailboxIds[(i + j) % mailboxCount]!;
          const enrolled = await post(`/v1/sequences/${sequence.id}/enrollments`, { mailboxId, from: { address: rep, name: null }, prospect: { email: address, name: null } });
          return { enrollmentId: enrolled.id, address, messageId: `<${randomUUID()}@telltale.test>`, mailboxId };
        }),
      );
      prospects.push(...batch);
    }
    const sentAt = new Date().toISOString();
    for (const p of prospects) {
      await producer.produce(
        emailSentTopic,
        {
          sentEmailId: randomUUID(),
          sendRequestId: randomUUID(),
          orgId: org,
          mailboxId: p.mailboxId,
          enrollmentId: p.enrollmentId,
          sequenceId: sequence.id,
          stepNumber: 1,
          messageId: p.messageId,
          providerMessageId: null,
          providerThreadId: null,
          from: { address: rep, name: null },
          to: [{ address: p.address, name: null }],
          cc: [],
          subject: 'Hello',
          tracking: { opens: false, clicks: false, trackedLinks: 0 },
          sentAt,
        },
        org,
      );
    }
    // Both services have the sent emails before any reply: the bench measures replies, not set-up.
    await eventually(
      'the sent emails to be indexed',
      async () => {
        const { rows } = await db.query(
          `SELECT (SELECT count(*)::int FROM reply_detector.processed_event WHERE topic = $1) AS indexed,
                  (SELECT count(*)::int FROM sequencer.enrollment WHERE next_step_number = 2) AS advanced`,
          [prefix + emailSentTopic.name],
        );
        return rows[0].indexed >= replies && rows[0].advanced >= replies;
      },
      { timeoutMs: 120_000, intervalMs: 200 },
    );

    // The replies, at a steady rate.
    const producedAt = new Map<string, number>();
    const producedInbound = new Map<string, number>();
    const intervalMs = 1000 / rate;
    const started = Date.now();
    for (let i = 0; i < prospects.length; i++) {
      const p = prospects[i]!;
      const wait = started + i * intervalMs - Date.now();
      if (wait > 0) await delay(wait);
      const now = new Date();
      producedAt.set(p.enrollmentId, now.getTime());
      const inboundEventId = await producer.produce(
        mailboxMessageReceivedTopic,
        {
          orgId: org,
          mailboxId: p.mailboxId,
          mailboxAddress: rep,
          message: {
            providerMessageId: randomUUID(),
            providerThreadId: null,
            folder: 'INBOX',
            messageId: `<${randomUUID()}@${p.address.split('@')[1]}>`,
            inReplyTo: [p.messageId],
            references: [p.messageId],
            threadIndex: null,
            threadTopic: null,
            from: { address: p.address, name: null },
            sender: null,
            to: [{ address: rep, name: null }],
            cc: [],
            replyTo: [],
            subject: 'Re: Hello',
            date: now.toISOString(),
            receivedAt: now.toISOString(),
            autoReplyMarkers: {
              autoSubmitted: null,
              precedence: null,
              xAutoreply: null,
              xAutorespond: null,
              xAutoResponseSuppress: null,
              xFailedRecipients: null,
              returnPath: `<${p.address}>`,
            },
            listId: null,
            listUnsubscribe: null,
            contentType: 'text/plain; charset=utf-8',
            reportType: null,
            textBody: 'Thanks, this looks interesting. Can we talk on Tuesday?\n\nOn Mon, Rep wrote:\n> One.',
            textBodyTruncated: false,
            deliveryStatus: [],
            enclosedOriginal: null,
            sizeBytes: 900,
          },
        },
        org,
      );
      producedInbound.set(inboundEventId, now.getTime());
    }
    const producingSeconds = (Date.now() - started) / 1000;

    const stops = await eventually(
      'every enrollment to stop',
      async () => {
        const { rows } = await db.query(
          `SELECT e.enrollment_id, e.occurred_at FROM sequencer.enrollment_event e WHERE e.transition = 'stop'`,
        );
        return rows.length >= replies ? (rows as { enrollment_id: string; occurred_at: Date }[]) : undefined;
      },
      { timeoutMs: 120_000, intervalMs: 200 },
    ).catch(async () => (await db.query(`SELECT enrollment_id, occurred_at FROM sequencer.enrollment_event WHERE transition = 'stop'`)).rows as { enrollment_id: string; occurred_at: Date }[]);

    const stopEvents = await eventually('the campaign.stop.v1 events', () => (recorder.messages.length >= stops.length ? recorder.messages : undefined), { timeoutMs: 30_000 });
    const eventToEnrollment = new Map(stopEvents.map((m) => [m.headers['event-id'] ?? '', (m.value as { enrollmentId: string }).enrollmentId]));
    const consumed = await eventually(
      'the sequencer to consume every campaign.stop.v1',
      async () => {
        const { rows } = await db.query(`SELECT event_id, processed_at FROM sequencer.processed_event WHERE topic = $1`, [prefix + campaignStopTopic.name]);
        return rows.length >= stopEvents.length ? (rows as { event_id: string; processed_at: Date }[]) : undefined;
      },
      { timeoutMs: 30_000 },
    );

    const consumedLatency: number[] = [];
    for (const row of consumed) {
      const enrollmentId = eventToEnrollment.get(row.event_id);
      const produced = enrollmentId ? producedAt.get(enrollmentId) : undefined;
      if (produced !== undefined) consumedLatency.push(row.processed_at.getTime() - produced);
    }
    // Where the time goes: until reply-detector picks the message up (its queue), then the rest.
    const detectorPickedUp = (
      await db.query(`SELECT event_id, processed_at FROM reply_detector.processed_event WHERE topic = $1`, [prefix + mailboxMessageReceivedTopic.name])
    ).rows as { event_id: string; processed_at: Date }[];
    const pickUpLatency = detectorPickedUp.map((r) => r.processed_at.getTime() - (producedInbound.get(r.event_id) ?? Number.NaN)).filter((n) => Number.isFinite(n));
    const stoppedLatency = stops.map((s) => s.occurred_at.getTime() - (producedAt.get(s.enrollment_id) ?? Number.NaN)).filter((n) => Number.isFinite(n));
    const stoppedBy = (
      await db.query(`SELECT count(*) FILTER (WHERE why LIKE 'campaign.stop.v1%')::int AS by_stop, count(*)::int AS total FROM sequencer.reply_effect WHERE effect = 'stopped'`)
    ).rows[0] as { by_stop: number; total: number };
    const result = {
      benchmark: 'replies',
      replies,
      mailboxes: mailboxCount,
      targetRatePerSecond: rate,
      achievedRatePerSecond: Math.round((replies / producingSeconds) * 10) / 10,
      messageReceivedToCampaignStopConsumed: summary(consumedLatency),
      messageReceivedToEnrollmentStopped: summary(stoppedLatency),
      messageReceivedToReplyDetectorPickUp: summary(pickUpLatency),
      enrollmentsStopped: stops.length,
      stoppedFirstByCampaignStop: stoppedBy.by_stop,
      stoppedFirstByReplyDetected: stoppedBy.total - stoppedBy.by_stop,
      goalP99Ms: 1000,
      goalMet: percentile([...consumedLatency].sort((a, b) => a - b), 99) < 1000 && consumedLatency.length === replies,
    };
    process.stdout.write(`${JSON.stringify(result)}\n`);
    if (consumedLatency.length !== replies) process.exitCode = 1;
  } finally {
    await recorder.stop().catch(() => undefined);
    await producer.stop().catch(() => undefined);
    for (const s of services.reverse()) await s.stop().catch(() => undefined);
    await db.end().catch(() => undefined);
    await database.drop();
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`bench:replies failed: ${err instanceof Error ? err.stack ?? err.message : String(err)}\n`);
  process.exit(1);
});
