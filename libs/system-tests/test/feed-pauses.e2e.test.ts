import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { Kafka, logLevel } from 'kafkajs';
import { enrollmentPauseChangedTopic, mailboxConnectionChangedTopic, type EnrollmentPauseChanged } from '@telltale/contracts';
import { createTestDatabase } from '@telltale/testing';
import { AppBrowser, eventually, requiredEnv, startIdentitySystem, type IdentitySystem } from '../src';
import { EventProducer } from '../src/event-producer';
import { SseClient } from '../src/sse-client';

/**
 * The feed's `paused` and `resumed` items (issue 13) against real Kafka and PostgreSQL: what the
 * sequencer announces on enrollment.pause-changed.v1 is projected by the app's `feed` consumer, in
 * plain words with the reason, to the mailbox owner's history and open stream (and not another rep's),
 * once per event.
 */
interface Item {
  id: string;
  kind: string;
  summary: string;
  enrollmentId: string | null;
  ownerUserId: string | null;
  person: { address: string; name: string | null } | null;
  company: string | null;
  detail: Record<string, unknown>;
}

let system: IdentitySystem;
let producer: EventProducer;
let drop: () => Promise<void>;
let orgId: string;
const sam = { browser: null as unknown as AppBrowser, id: '' };
const alex = { browser: null as unknown as AppBrowser, id: '' };
const mailboxId = randomUUID();
let stream: SseClient;

const history = async (who: AppBrowser, query = ''): Promise<Item[]> => {
  const res = await who.fetch(`/api/v1/feed${query}`);
  assert.equal(res.status, 200, await res.clone().text());
  return ((await res.json()) as { items: Item[] }).items;
};

function pauseChange(enrollmentId: string, over: Partial<EnrollmentPauseChanged>): EnrollmentPauseChanged {
  return {
    changeId: randomUUID(),
    orgId,
    enrollmentId,
    sequenceId: randomUUID(),
    mailboxId,
    prospect: { address: 'flynn@encom.example', name: 'Kevin Flynn' },
    change: 'paused',
    reason: 'manual',
    until: null,
    returnDate: null,
    causeId: null,
    nextDueAt: null,
    occurredAt: new Date().toISOString(),
    ...over,
  };
}

before(async () => {
  const database = await createTestDatabase(requiredEnv('DATABASE_URL'));
  drop = database.drop;
  const prefix = `feedpause-${randomBytes(4).toString('hex')}.`;
  system = await startIdentitySystem({ databaseUrl: database.url, kafkaBrokers: requiredEnv('KAFKA_BROKERS'), topicPrefix: prefix, upstreams: {} });
  orgId = system.orgId;
  producer = new EventProducer(new Kafka({ clientId: 'feed-pauses-test', brokers: requiredEnv('KAFKA_BROKERS').split(','), logLevel: logLevel.NOTHING }), prefix);
  await producer.start();
  const admin = new AppBrowser(system.app.url);
  assert.equal((await admin.signIn('admin@telltale.test')).status, 302);
  for (const [who, name] of [
    [sam, 'sam'],
    [alex, 'alex'],
  ] as const) {
    assert.equal((await admin.fetch('/api/v1/users/invitations', { method: 'POST', body: { email: `${name}@telltale.test`, role: 'rep' } })).status, 201);
    who.browser = new AppBrowser(system.app.url);
    assert.equal((await who.browser.signIn(`${name}@telltale.test`)).status, 302);
    who.id = ((await (await who.browser.fetch('/api/v1/me')).json()) as { user: { id: string } }).user.id;
  }
  await producer.produce(
    mailboxConnectionChangedTopic,
    { orgId, mailboxId, provider: 'imap', emailAddress: 'sam@telltale.test', previousState: 'syncing', state: 'connected', reason: null, changedAt: new Date().toISOString(), ownerUserId: sam.id },
    orgId,
  );
  const url = new URL('/api/v1/feed/stream', system.app.url);
  stream = await SseClient.open(url.toString(), { cookie: sam.browser.cookies.header(url)! });
});

after(async () => {
  await stream?.close();
  await producer?.stop();
  await system?.stop();
  await drop?.();
});

describe('paused and resumed in the feed (enrollment.pause-changed.v1)', () => {
  it('an out-of-office pause, its end, and a pause by hand: in plain words, with the reason, to the owner only', async () => {
    const enrollmentId = randomUUID();
    const replyId = randomUUID();
    await producer.produce(
      enrollmentPauseChangedTopic,
      pauseChange(enrollmentId, { reason: 'out_of_office', until: '2026-12-14T00:00:00.000Z', returnDate: '2026-12-14', causeId: replyId }),
      orgId,
    );
    await producer.produce(enrollmentPauseChangedTopic, pauseChange(enrollmentId, { change: 'resumed', reason: 'pause_over', nextDueAt: '2026-12-17T00:00:00.000Z' }), orgId);
    await producer.produce(enrollmentPauseChangedTopic, pauseChange(enrollmentId, { reason: 'manual', until: null }), orgId);

    const mine = await eventually('three pause items in Sam’s history', async () => {
      const items = (await history(sam.browser, '?kinds=paused,resumed')).filter((i) => i.enrollmentId === enrollmentId);
      return items.length >= 3 ? items : undefined;
    });
    // Newest first.
    assert.deepEqual(
      mine.map((i) => [i.kind, i.summary]),
      [
        ['paused', 'Campaign paused for Kevin Flynn by hand until someone resumes it'],
        ['resumed', 'Campaign resumed for Kevin Flynn: the pause is over; the next step is due 2026-12-17T00:00:00.000Z'],
        ['paused', 'Campaign paused for Kevin Flynn: out of office until 2026-12-14'],
      ],
    );
    const away = mine[2]!;
    assert.equal(away.ownerUserId, sam.id);
    assert.deepEqual(away.person, { address: 'flynn@encom.example', name: 'Kevin Flynn' });
    assert.equal(away.company, 'encom.example');
    assert.deepEqual(away.detail, { change: 'paused', reason: 'out_of_office', until: '2026-12-14T00:00:00.000Z', returnDate: '2026-12-14', causeId: replyId });

    // Live on Sam's open stream; never in Alex's feed.
    await eventually('the three on Sam’s stream', () => stream.feed().filter((e) => (JSON.parse(e.data) as Item).enrollmentId === enrollmentId).length === 3);
    assert.equal((await history(alex.browser)).filter((i) => i.enrollmentId === enrollmentId).length, 0);
  });

  it('a company-rule pause names the company; the same event delivered twice is one item', async () => {
    const enrollmentId = randomUUID();
    const change = pauseChange(enrollmentId, { reason: 'company_replied', until: '2026-12-20T10:00:00.000Z', causeId: randomUUID() });
    const eventId = randomUUID();
    await producer.produce(enrollmentPauseChangedTopic, change, orgId, { eventId });
    await producer.produce(enrollmentPauseChangedTopic, change, orgId, { eventId });
    const [item] = await eventually('the company pause', async () => {
      const items = (await history(sam.browser, '?kinds=paused')).filter((i) => i.enrollmentId === enrollmentId);
      return items.length >= 1 ? items : undefined;
    });
    assert.equal(item!.summary, 'Campaign paused for Kevin Flynn: someone at encom.example replied; paused until 2026-12-20T10:00:00.000Z');
    // A later event of the same enrollment (same key, same partition) is projected: the duplicate is behind us.
    await producer.produce(enrollmentPauseChangedTopic, pauseChange(enrollmentId, { change: 'resumed', reason: 'manual' }), orgId);
    await eventually('the resume after it', async () => ((await history(sam.browser, '?kinds=resumed')).some((i) => i.enrollmentId === enrollmentId) ? true : undefined));
    assert.equal((await history(sam.browser, '?kinds=paused')).filter((i) => i.enrollmentId === enrollmentId).length, 1);
  });
});
