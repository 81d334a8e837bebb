import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { Kafka, logLevel } from 'kafkajs';
import { Client } from 'pg';
import {
  campaignStopTopic,
  emailBouncedTopic,
  emailSendFailedTopic,
  emailSentTopic,
  mailboxConnectionChangedTopic,
  replyDetectedTopic,
  trackingEngagementTopic,
  type EmailSent,
  type TrackingEngagement,
} from '@telltale/contracts';
import { createTestDatabase } from '@telltale/testing';
import { AppBrowser, eventually, requiredEnv, startIdentitySystem, type IdentitySystem } from '../src';
import { EventProducer } from '../src/event-producer';
import { SseClient } from '../src/sse-client';

/**
 * The live feed's backend (issue 13) against real Kafka and PostgreSQL: events produced on the
 * topics as the services produce them are projected by the app's `feed` consumer into
 * app.feed_item, read back through GET /api/v1/feed and streamed on /api/v1/feed/stream (SSE),
 * signed in through the sandbox OpenID provider like a browser.
 */
let system: IdentitySystem;
let producer: EventProducer;
let drop: () => Promise<void>;
let db: Client;
let orgId: string;
let databaseUrl: string;
let topicPrefix: string;
const browsers: Record<'admin' | 'sam' | 'alex' | 'priya', AppBrowser> = {} as never;
const userIds: Record<string, string> = {};
const samMailbox = randomUUID();
const alexMailbox = randomUUID();
const streams: SseClient[] = [];

interface Item {
  id: string;
  kind: string;
  summary: string;
  ownerUserId: string | null;
  sentEmailId: string | null;
  person: { address: string; name: string | null } | null;
  company: string | null;
  machine: boolean;
  machineReasons: string[];
  detail: Record<string, unknown>;
}

const json = async <T>(res: Response): Promise<T> => (await res.json()) as T;

async function history(who: AppBrowser, query = ''): Promise<Item[]> {
  const res = await who.fetch(`/api/v1/feed${query}`);
  assert.equal(res.status, 200, await res.clone().text());
  return (await json<{ items: Item[] }>(res)).items;
}

async function stream(who: AppBrowser, query = '', headers: Record<string, string> = {}): Promise<SseClient> {
  const url = new URL(`/api/v1/feed/stream${query}`, system.app.url);
  const cookie = who.cookies.header(url);
  const client = await SseClient.open(url.toString(), { ...(cookie ? { cookie } : {}), ...headers });
  streams.push(client);
  assert.equal(client.status, 200);
  return client;
}

const items = (s: SseClient): Item[] => s.feed().map((e) => JSON.parse(e.data) as Item);

function sentEmail(mailboxId: string, overrides: Partial<EmailSent> = {}): EmailSent {
  const id = randomUUID();
  return {
    sentEmailId: id,
    sendRequestId: randomUUID(),
    orgId,
    mailboxId,
    enrollmentId: randomUUID(),
    sequenceId: randomUUID(),
    stepNumber: 1,
    messageId: `<${id}@telltale.test>`,
    providerMessageId: null,
    providerThreadId: null,
    from: { address: 'sam@telltale.test', name: 'Sam' },
    to: [{ address: 'flynn@encom.example', name: 'Kevin Flynn' }],
    cc: [{ address: 'alan@encom.example', name: 'Alan Bradley' }],
    subject: 'The Grid',
    tracking: { opens: true, clicks: true, trackedLinks: 1 },
    sentAt: new Date().toISOString(),
    ...overrides,
  };
}

function hit(sent: EmailSent, type: 'opened' | 'clicked', label: TrackingEngagement['classification']['label'] = 'human'): TrackingEngagement {
  return {
    engagementId: randomUUID(),
    orgId,
    sentEmailId: sent.sentEmailId,
    type,
    linkIndex: type === 'clicked' ? 0 : null,
    url: type === 'clicked' ? 'https://encom.example/grid' : null,
    classification: { label, confidence: 0.9, reasons: label === 'human' ? [] : ['Apple Mail Privacy Protection address range'] },
    userAgent: 'Mozilla/5.0',
    occurredAt: new Date().toISOString(),
  };
}

function reply(sent: EmailSent, from: { address: string; name: string }, relation: 'prospect' | 'cc' | 'colleague', kind: 'reply' | 'auto_reply' = 'reply') {
  return {
    replyId: randomUUID(),
    orgId,
    mailboxId: sent.mailboxId,
    sentEmailId: sent.sentEmailId,
    enrollmentId: sent.enrollmentId,
    sequenceId: sent.sequenceId,
    kind,
    relation,
    matchedBy: 'in_reply_to' as const,
    from,
    inboundMessageId: `<${randomUUID()}@encom.example>`,
    providerMessageId: randomUUID(),
    subject: 'Re: The Grid',
    snippet: null,
    returnDate: kind === 'auto_reply' ? '2026-12-14' : null,
    receivedAt: new Date().toISOString(),
    detectedAt: new Date().toISOString(),
  };
}

async function connectMailbox(mailboxId: string, owner: string, address: string): Promise<void> {
  await producer.produce(
    mailboxConnectionChangedTopic,
    { orgId, mailboxId, provider: 'imap', emailAddress: address, previousState: 'syncing', state: 'connected', reason: null, changedAt: new Date().toISOString(), ownerUserId: owner },
    orgId,
  );
}

before(async () => {
  const database = await createTestDatabase(requiredEnv('DATABASE_URL'));
  drop = database.drop;
  db = new Client({ connectionString: database.url });
  await db.connect();
  const prefix = `feed-${randomBytes(4).toString('hex')}.`;
  databaseUrl = database.url;
  topicPrefix = prefix;
  system = await startIdentitySystem({ databaseUrl: database.url, kafkaBrokers: requiredEnv('KAFKA_BROKERS'), topicPrefix: prefix, upstreams: {} });
  orgId = system.orgId;
  producer = new EventProducer(new Kafka({ clientId: 'feed-test', brokers: requiredEnv('KAFKA_BROKERS').split(','), logLevel: logLevel.NOTHING }), prefix);
  await producer.start();
  browsers.admin = new AppBrowser(system.app.url);
  assert.equal((await browsers.admin.signIn('admin@telltale.test')).status, 302);
  for (const [name, role] of [
    ['sam', 'rep'],
    ['alex', 'rep'],
    ['priya', 'manager'],
  ] as const) {
    const invited = await browsers.admin.fetch('/api/v1/users/invitations', { method: 'POST', body: { email: `${name}@telltale.test`, role } });
    assert.equal(invited.status, 201, await invited.clone().text());
    browsers[name] = new AppBrowser(system.app.url);
    assert.equal((await browsers[name].signIn(`${name}@telltale.test`)).status, 302);
    userIds[name] = (await json<{ user: { id: string } }>(await browsers[name].fetch('/api/v1/me'))).user.id;
  }
  await connectMailbox(samMailbox, userIds.sam!, 'sam@telltale.test');
  await connectMailbox(alexMailbox, userIds.alex!, 'alex@telltale.test');
  // The owners first, as in life (a mailbox is connected before its mail is sent): rows projected
  // before their mailbox's owner is known get it later, in the history only (docs/architecture.md).
  await eventually('both owners known', async () => (await db.query(`SELECT count(owner_user_id)::int AS n FROM app.feed_mailbox`)).rows[0].n === 2);
});

after(async () => {
  await Promise.all(streams.map((s) => s.close()));
  await producer?.stop();
  await system?.stop();
  await db?.end();
  await drop?.();
});

describe('the live feed (app.feed_item, GET /api/v1/feed, GET /api/v1/feed/stream)', () => {
  it('projects sent, opened, clicked, CC reply and the stop into the history and onto the open stream, in plain words', async () => {
    const live = await stream(browsers.sam);
    const sent = sentEmail(samMailbox);
    await producer.produce(emailSentTopic, sent, orgId);
    await producer.produce(trackingEngagementTopic, hit(sent, 'opened'), orgId);
    await producer.produce(trackingEngagementTopic, hit(sent, 'clicked'), orgId);
    // Topics are not ordered with one another: the reply goes out once the open is in (as it would in life).
    await eventually('sent, opened, clicked', () => items(live).filter((i) => i.sentEmailId === sent.sentEmailId).length >= 3);
    const alan = reply(sent, { address: 'alan@encom.example', name: 'Alan Bradley' }, 'cc');
    await producer.produce(replyDetectedTopic, alan, orgId);
    await producer.produce(
      campaignStopTopic,
      { stopId: randomUUID(), orgId, enrollmentId: sent.enrollmentId!, reason: 'replied', causeId: alan.replyId, sentEmailId: sent.sentEmailId, occurredAt: new Date().toISOString() },
      orgId,
    );
    const streamed = await eventually('five items on the stream', () => {
      const mine = items(live).filter((i) => i.sentEmailId === sent.sentEmailId);
      return mine.length >= 5 && mine;
    });
    assert.deepEqual(
      streamed.map((i) => i.summary),
      ['Sent “The Grid” to Kevin Flynn (+1), step 1', 'Kevin Flynn opened “The Grid”', 'Kevin Flynn clicked encom.example/grid in “The Grid”', 'Alan Bradley (CC) replied', 'Campaign stopped: Alan Bradley replied'],
    );
    assert.ok(streamed.every((i) => i.ownerUserId === userIds.sam && i.company === 'encom.example'));
    assert.equal(streamed[3]!.detail.relation, 'cc');
    assert.equal(streamed[3]!.detail.imagesProbablyBlocked, undefined, 'a human open was seen');
    assert.equal(streamed[2]!.detail.url, 'https://encom.example/grid');
    const ids = live.feed().map((e) => BigInt(e.id!));
    assert.deepEqual([...ids].sort((a, b) => (a < b ? -1 : 1)), ids, 'ids increase');
    assert.equal(live.retryMs, 2000);
    const page = await history(browsers.sam, '?limit=200');
    const newestFirst = page.filter((i) => i.sentEmailId === sent.sentEmailId).map((i) => i.kind);
    assert.deepEqual(newestFirst, ['stopped', 'replied', 'clicked', 'opened', 'sent']);
  });

  it('an open that arrives before its sent event waits for it, then appears after it, complete', async () => {
    const live = await stream(browsers.sam);
    const sent = sentEmail(samMailbox, { subject: 'Out of order', to: [{ address: 'lora@encom.example', name: 'Lora Baines' }], cc: [] });
    await producer.produce(trackingEngagementTopic, hit(sent, 'opened'), orgId);
    const auto = reply(sent, { address: 'lora@encom.example', name: 'Lora Baines' }, 'prospect', 'auto_reply');
    await producer.produce(replyDetectedTopic, auto, orgId);
    await eventually('both wait for the sent email', async () => {
      const rows = (await db.query(`SELECT topic FROM app.feed_pending WHERE waits_for = $1`, [`sent:${sent.sentEmailId}`])).rows;
      return rows.length === 2;
    });
    assert.ok((await history(browsers.admin, '?limit=200')).every((i) => i.sentEmailId !== sent.sentEmailId), 'nothing half-known is shown');
    await producer.produce(emailSentTopic, sent, orgId);
    const streamed = await eventually('three items', () => {
      const mine = items(live).filter((i) => i.sentEmailId === sent.sentEmailId);
      return mine.length >= 3 && mine;
    });
    assert.equal(streamed[0]!.summary, 'Sent “Out of order” to Lora Baines, step 1');
    assert.deepEqual(streamed.slice(1).map((i) => i.summary).sort(), ['Lora Baines is out of office until 2026-12-14', 'Lora Baines opened “Out of order”']);
    const ooo = streamed.find((i) => i.kind === 'auto_reply')!;
    assert.equal(ooo.detail.returnDate, '2026-12-14');
    assert.equal((await db.query(`SELECT count(*)::int AS n FROM app.feed_pending`)).rows[0].n, 0);
  });

  it('a reply to an email never opened says images were probably blocked; bounces and send failures are in words', async () => {
    const sent = sentEmail(samMailbox, { subject: 'No pixel', to: [{ address: 'dumont@encom.example', name: 'Dumont' }], cc: [] });
    await producer.produce(emailSentTopic, sent, orgId);
    await producer.produce(replyDetectedTopic, reply(sent, { address: 'dumont@encom.example', name: 'Dumont' }, 'prospect'), orgId);
    const bounced = sentEmail(samMailbox, { subject: 'Bouncy', to: [{ address: 'nobody@encom.example', name: null }], cc: [] });
    await producer.produce(emailSentTopic, bounced, orgId);
    await producer.produce(
      emailBouncedTopic,
      { bounceId: randomUUID(), orgId, mailboxId: samMailbox, sentEmailId: bounced.sentEmailId, enrollmentId: null, recipient: 'nobody@encom.example', severity: 'hard', statusCode: '5.1.1', diagnostic: 'user unknown', detectedAt: new Date().toISOString() },
      orgId,
    );
    await producer.produce(
      emailSendFailedTopic,
      { sendRequestId: randomUUID(), orgId, mailboxId: samMailbox, enrollmentId: null, stepNumber: 2, code: 'AUTH_REVOKED', reason: 'token revoked', failedAt: new Date().toISOString() },
      orgId,
    );
    const feed = await eventually('reply, bounce and failure', async () => {
      const all = await history(browsers.sam, '?kinds=replied,bounced,send_failed&limit=200');
      const replied = all.find((i) => i.sentEmailId === sent.sentEmailId);
      const bounce = all.find((i) => i.sentEmailId === bounced.sentEmailId);
      const failed = all.find((i) => i.kind === 'send_failed');
      return replied && bounce && failed && { replied, bounce, failed };
    });
    assert.equal(feed.replied.summary, 'Dumont replied');
    assert.equal(feed.replied.detail.imagesProbablyBlocked, true);
    assert.equal(feed.bounce.summary, '“Bouncy” to nobody@encom.example bounced (permanent, 5.1.1)');
    assert.deepEqual([feed.bounce.detail.severity, feed.bounce.detail.statusCode, feed.bounce.detail.reason], ['hard', '5.1.1', 'user unknown']);
    assert.equal(feed.failed.summary, 'Email not sent (step 2): the mailbox needs to be reconnected');
    assert.equal(feed.failed.ownerUserId, userIds.sam);
  });

  it('machine opens are hidden unless includeMachine, then labelled; the sender’s own hits never enter', async () => {
    const sent = sentEmail(samMailbox, { subject: 'Machines', cc: [] });
    await producer.produce(emailSentTopic, sent, orgId);
    await producer.produce(trackingEngagementTopic, hit(sent, 'opened', 'privacy_prefetch'), orgId);
    await producer.produce(trackingEngagementTopic, hit(sent, 'opened', 'self'), orgId);
    await producer.produce(trackingEngagementTopic, hit(sent, 'opened', 'internal'), orgId);
    await producer.produce(trackingEngagementTopic, hit(sent, 'clicked', 'security_scanner'), orgId);
    const withMachines = await eventually('two machine items', async () => {
      const mine = (await history(browsers.sam, '?includeMachine=true&limit=200')).filter((i) => i.sentEmailId === sent.sentEmailId);
      return mine.length >= 3 && mine;
    });
    assert.deepEqual(withMachines.map((i) => [i.kind, i.machine]), [['clicked', true], ['opened', true], ['sent', false]]);
    assert.deepEqual(withMachines[1]!.machineReasons, ['privacy_prefetch', 'Apple Mail Privacy Protection address range']);
    assert.equal(withMachines[1]!.summary, 'A mail privacy proxy (for Kevin Flynn) opened “Machines”');
    const humanOnly = (await history(browsers.sam, '?limit=200')).filter((i) => i.sentEmailId === sent.sentEmailId);
    assert.deepEqual(humanOnly.map((i) => i.kind), ['sent']);
  });

  it('a rep sees only their own mailboxes’ items, a manager and an API key the organisation’s; filters apply to the stream too', async () => {
    const samLive = await stream(browsers.sam);
    const priyaLive = await stream(browsers.priya);
    const priyaAlexOnly = await stream(browsers.priya, `?ownerUserId=${userIds.alex}&kinds=opened`);
    const keyLive = await stream(browsers.admin, '', { authorization: `Bearer ${system.adminApiKey}` });
    const samSent = sentEmail(samMailbox, { subject: 'For Sam' });
    const alexSent = sentEmail(alexMailbox, { subject: 'For Alex' });
    await producer.produce(emailSentTopic, samSent, orgId);
    await producer.produce(emailSentTopic, alexSent, orgId);
    await producer.produce(trackingEngagementTopic, hit(alexSent, 'opened'), orgId);
    const both = (s: SseClient) => items(s).filter((i) => i.sentEmailId === samSent.sentEmailId || i.sentEmailId === alexSent.sentEmailId);
    await eventually('the manager sees both', () => both(priyaLive).length >= 3);
    await eventually('the API key sees both', () => both(keyLive).length >= 3);
    assert.deepEqual([both(priyaLive).length, both(keyLive).length], [3, 3]);
    await eventually('the filtered stream sees Alex’s open', () => items(priyaAlexOnly).some((i) => i.sentEmailId === alexSent.sentEmailId));
    assert.deepEqual(items(priyaAlexOnly).map((i) => [i.kind, i.ownerUserId]), [['opened', userIds.alex]]);
    await eventually('Sam sees his', () => items(samLive).some((i) => i.sentEmailId === samSent.sentEmailId));
    assert.ok(items(samLive).every((i) => i.ownerUserId === userIds.sam), 'nothing of Alex on Sam’s stream');
    assert.ok((await history(browsers.sam, '?limit=200')).every((i) => i.ownerUserId === userIds.sam));
    assert.deepEqual(await history(browsers.sam, `?ownerUserId=${userIds.alex}`), [], 'a rep cannot read another rep’s feed');
    const alexHistory = await history(browsers.alex);
    assert.deepEqual(alexHistory.map((i) => i.summary), ['Kevin Flynn opened “For Alex”', 'Sent “For Alex” to Kevin Flynn (+1), step 1']);
  });

  it('resumes with Last-Event-ID (or ?after=): what arrived while disconnected is shown exactly once, then live', async () => {
    const first = await stream(browsers.sam);
    const before = sentEmail(samMailbox, { subject: 'Before the drop' });
    await producer.produce(emailSentTopic, before, orgId);
    await eventually('the first stream got it', () => items(first).some((i) => i.sentEmailId === before.sentEmailId));
    const lastSeen = first.lastEventId!;
    await first.close();
    const missed = [sentEmail(samMailbox, { subject: 'Missed 1' }), sentEmail(samMailbox, { subject: 'Missed 2' }), sentEmail(samMailbox, { subject: 'Missed 3' })];
    for (const s of missed) await producer.produce(emailSentTopic, s, orgId);
    await eventually('projected while away', async () => (await history(browsers.sam, '?limit=10')).filter((i) => missed.some((m) => m.sentEmailId === i.sentEmailId)).length === 3);
    const resumed = await stream(browsers.sam, '', { 'last-event-id': lastSeen });
    const viaQuery = await stream(browsers.sam, `?after=${lastSeen}`);
    const later = sentEmail(samMailbox, { subject: 'After the reconnect' });
    await producer.produce(emailSentTopic, later, orgId);
    for (const s of [resumed, viaQuery]) {
      await eventually('the live one after the replay', () => items(s).some((i) => i.sentEmailId === later.sentEmailId));
      const subjects = items(s).map((i) => i.detail.subject as string);
      // Each email's events share a partition; different emails may be projected in any order.
      assert.deepEqual([...subjects.slice(0, 3).sort(), subjects[3]], ['Missed 1', 'Missed 2', 'Missed 3', 'After the reconnect']);
      assert.equal(subjects.length, 4);
      const ids = s.feed().map((e) => e.id);
      assert.equal(new Set(ids).size, ids.length, 'no id twice');
    }
  });

  it('a reconnect more than 500 items behind, or after an id the feed never had, is told to reload (event: reset) and gets the newest 500', async () => {
    const [{ id: lastId }] = (await history(browsers.priya, '?limit=1')) as { id: string }[];
    const flood = Array.from({ length: 505 }, (_, i) => sentEmail(alexMailbox, { subject: `Flood ${i}` }));
    await Promise.all(flood.map((s) => producer.produce(emailSentTopic, s, orgId)));
    await eventually('all projected', async () => (await history(browsers.priya, `?limit=200&kinds=sent`)).filter((i) => String(i.detail.subject).startsWith('Flood')).length === 200 && (await db.query(`SELECT count(*)::int AS n FROM app.feed_item WHERE detail->>'subject' LIKE 'Flood %'`)).rows[0].n === 505);
    const behind = await stream(browsers.priya, '', { 'last-event-id': lastId! });
    await eventually('the newest 500', () => behind.feed().length >= 500);
    assert.equal(behind.events[0]!.event, 'reset');
    assert.deepEqual(JSON.parse(behind.events[0]!.data), { reason: 'too_far_behind', replayed: 500 });
    const ids = behind.feed().map((e) => BigInt(e.id!));
    const [{ max }] = (await db.query(`SELECT max(id)::text AS max FROM app.feed_item`)).rows as { max: string }[];
    assert.equal(ids[ids.length - 1], BigInt(max), 'up to the newest');
    assert.equal(new Set(ids).size, 500);
    const unknown = await stream(browsers.priya, `?after=${BigInt(max) + 1000n}`);
    await eventually('the newest 500 again', () => unknown.feed().length >= 500);
    assert.deepEqual(JSON.parse(unknown.events[0]!.data), { reason: 'unknown_id', replayed: 500 });
  });

  it('mail from a mailbox whose owner is not known yet is the owner’s once the mailbox event names them', async () => {
    const mailboxId = randomUUID();
    const early = sentEmail(mailboxId, { subject: 'Before the owner' });
    await producer.produce(emailSentTopic, early, orgId);
    const item = await eventually('projected without an owner', async () => (await history(browsers.priya, '?limit=20')).find((i) => i.sentEmailId === early.sentEmailId));
    assert.equal(item.ownerUserId, null);
    assert.ok(!(await history(browsers.sam, '?limit=20')).some((i) => i.sentEmailId === early.sentEmailId), 'no rep’s until then');
    await connectMailbox(mailboxId, userIds.sam!, 'sam+second@telltale.test');
    await eventually('Sam’s now', async () => (await history(browsers.sam, '?limit=20')).some((i) => i.sentEmailId === early.sentEmailId && i.ownerUserId === userIds.sam));
  });

  it('a stream the browser leaves is let go (telltale_app_feed_streams)', async () => {
    const open = async () => Number(/^telltale_app_feed_streams (\S+)$/m.exec(await (await fetch(system.app.metricsUrl)).text())?.[1]);
    const before = await open();
    assert.ok(Number.isInteger(before), 'the gauge is served');
    const leaving = await stream(browsers.sam);
    assert.equal(await open(), before + 1);
    await leaving.close();
    await eventually('one stream fewer', async () => (await open()) === before);
  });

  it('the same event delivered twice is one item', async () => {
    const sent = sentEmail(samMailbox, { subject: 'Twice' });
    const eventId = randomUUID();
    await producer.produce(emailSentTopic, sent, orgId, { eventId });
    await producer.produce(emailSentTopic, sent, orgId, { eventId });
    const open = hit(sent, 'opened');
    const openId = randomUUID();
    await producer.produce(trackingEngagementTopic, open, orgId, { eventId: openId });
    await producer.produce(trackingEngagementTopic, open, orgId, { eventId: openId });
    const marker = sentEmail(samMailbox, { subject: 'Marker' });
    await producer.produce(emailSentTopic, marker, orgId);
    await eventually('the marker after the duplicates', async () => (await history(browsers.sam, '?limit=5')).some((i) => i.sentEmailId === marker.sentEmailId));
    const twice = (await history(browsers.sam, '?limit=50')).filter((i) => i.sentEmailId === sent.sentEmailId);
    assert.deepEqual(twice.map((i) => i.kind), ['opened', 'sent']);
  });

  it('with two app replicas (one consumer group), each one’s streams get every item, whichever replica projected it', async () => {
    // A second app on the same database and topics: another organisation, bootstrapped with its own API key.
    const replica = await startIdentitySystem({ databaseUrl, kafkaBrokers: requiredEnv('KAFKA_BROKERS'), topicPrefix, upstreams: {} });
    try {
      const auth = { authorization: `Bearer ${replica.adminApiKey}` };
      const onFirst = await stream(browsers.admin, '', auth);
      const onSecond = await SseClient.open(`${replica.app.url}/api/v1/feed/stream`, auth);
      streams.push(onSecond);
      const mailboxId = randomUUID();
      const sent = Array.from({ length: 12 }, (_, i) => ({ ...sentEmail(mailboxId, { subject: `Replica ${i}` }), orgId: replica.orgId }));
      for (const s of sent) await producer.produce(emailSentTopic, s, replica.orgId);
      for (const s of [onFirst, onSecond]) {
        await eventually('all twelve on the stream', () => items(s).length >= 12);
        assert.deepEqual(items(s).map((i) => i.detail.subject as string).sort(), sent.map((e) => e.subject).sort());
      }
    } finally {
      await replica.stop();
    }
  });

  it('pages the history with a cursor, newest first, and refuses bad filters with a typed 400', async () => {
    const first = await json<{ items: Item[]; nextCursor: string }>(await browsers.priya.fetch('/api/v1/feed?limit=3'));
    assert.equal(first.items.length, 3);
    const second = await json<{ items: Item[]; nextCursor: string | null }>(await browsers.priya.fetch(`/api/v1/feed?limit=3&cursor=${first.nextCursor}`));
    assert.ok(BigInt(second.items[0]!.id) < BigInt(first.items[2]!.id));
    const all = await history(browsers.priya, '?limit=200');
    assert.deepEqual([...first.items, ...second.items].map((i) => i.id), all.slice(0, 6).map((i) => i.id));
    const byCompany = await history(browsers.priya, '?company=ENCOM.example&kinds=sent&limit=200');
    assert.ok(byCompany.length > 0 && byCompany.every((i) => i.company === 'encom.example' && i.kind === 'sent'));
    for (const [path, headers] of [
      ['/api/v1/feed?kinds=nope', {}],
      ['/api/v1/feed?limit=0', {}],
      ['/api/v1/feed?since=2026-12-02T00:00:00Z&until=2026-12-01T00:00:00Z', {}],
      ['/api/v1/feed?cursor=abc', {}],
      ['/api/v1/feed?what=1', {}],
      ['/api/v1/feed/stream?after=-1', {}],
      ['/api/v1/feed/stream', { 'last-event-id': 'x' }],
    ] as const) {
      const res = await browsers.priya.fetch(path, { headers });
      assert.equal(res.status, 400, path);
      assert.equal((await json<{ error: string }>(res)).error, 'invalid_request');
    }
    const anonymous = await fetch(`${system.app.url}/api/v1/feed/stream`);
    assert.equal(anonymous.status, 401);
  });
});
