import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes, randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { Client } from 'pg';
import { trackingEngagementTopic } from '@telltale/contracts';
import { createKafka } from '@telltale/kafka';
import { createLogger } from '@telltale/telemetry';
import { localIdentityHeaders, sharedLocalIdentity, sampleValue, type StartedService } from '@telltale/runtime';
import { createTestDatabase, eventually } from '@telltale/testing';
import { buildClickUrl, buildOpenUrl, generateSigningKeySpec, parseSigningKeys, signTrackingToken } from '@telltale/tracking';
import { TrackerConfig, TRANSPARENT_GIF, startTracker } from '../src';


function env(name: string): string {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set: run with \`npm test\``);
  return v;
}

const keySpec = generateSigningKeySpec('t1');
const keys = parseSigningKeys(keySpec);
const APP = 'https://app.telltale.example';
const CHROME = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_0) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Safari/605.1.15';
let tracker: StartedService;
let db: { url: string; drop(): Promise<void> };
let spillDir: string;
const prefix = `edge-${randomBytes(4).toString('hex')}.`;

before(async () => {
  db = await createTestDatabase(env('DATABASE_URL'));
  spillDir = mkdtempSync(join(tmpdir(), 'tracker-spill-'));
  tracker = await startTracker(
    TrackerConfig.parse({
      ...(await sharedLocalIdentity()).env(),
      DATABASE_URL: db.url,
      KAFKA_BROKERS: env('KAFKA_BROKERS'),
      KAFKA_TOPIC_PREFIX: prefix,
      PORT: '0',
      HOST: '127.0.0.1',
      TRACKING_SIGNING_KEYS: keySpec,
      LOG_LEVEL: 'silent',
      // Tests stand in for a load balancer on loopback, so X-Forwarded-For sets the client address.
      TRUST_PROXY: 'loopback',
      TRACKER_SPILL_DIR: spillDir,
      TRACKER_APP_ORIGINS: APP,
    }),
  );
});

after(async () => {
  await tracker?.stop();
  await db?.drop();
  rmSync(spillDir, { recursive: true, force: true });
});

interface Row {
  sent_email_id: string;
  type: string;
  label: string;
  link_index: number | null;
  reasons: string[];
}

async function rowsOf(orgId: string): Promise<Row[]> {
  // Hits a test sends one after another can share a millisecond: the link index breaks the tie
  // (each test clicks its links in index order).
  return (await tracker.runtime.dataSource.query(`SELECT sent_email_id, type, label, link_index, reasons FROM tracker.engagement WHERE org_id = $1 ORDER BY occurred_at, link_index NULLS FIRST, id`, [orgId])) as Row[];
}

async function waitForRows(orgId: string, count: number): Promise<Row[]> {
  return eventually(`${count} engagement rows for the org`, async () => {
    const rows = await rowsOf(orgId);
    return rows.length >= count ? rows : undefined;
  }, { timeoutMs: 20_000, intervalMs: 20 });
}

function openToken(orgId: string, sentEmailId = randomUUID(), issuedAt = new Date(Date.now() - 3_600_000)): string {
  return signTrackingToken({ kind: 'open', orgId, sentEmailId, issuedAt }, keys);
}

function clickToken(orgId: string, sentEmailId: string, linkIndex: number, url = `https://example.com/page/${linkIndex}`, issuedAt = new Date(Date.now() - 3_600_000)): string {
  return signTrackingToken({ kind: 'click', orgId, sentEmailId, linkIndex, url, issuedAt }, keys);
}

const hit = (url: string, headers: Record<string, string> = {}, method = 'GET') =>
  fetch(url, { method, headers: { 'user-agent': CHROME, ...headers }, redirect: 'manual' });

async function expectPixel(res: Response): Promise<void> {
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('content-type'), 'image/gif');
  assert.match(res.headers.get('cache-control') ?? '', /no-store/);
  assert.deepEqual(Buffer.from(await res.arrayBuffer()), TRANSPARENT_GIF);
}

describe('open pixel', () => {
  test('always the image; only a valid open token records a hit', async () => {
    const orgId = randomUUID();
    const forgedKeys = parseSigningKeys(generateSigningKeySpec('t1'));
    const junk = [
      signTrackingToken({ kind: 'open', orgId, sentEmailId: randomUUID(), issuedAt: new Date() }, forgedKeys),
      openToken(orgId, randomUUID(), new Date(Date.now() - 3 * 365 * 86_400_000)),
      clickToken(orgId, randomUUID(), 0),
      'garbled',
      'A'.repeat(5000),
      '%2e%2e%2f%2e%2e',
      `${openToken(orgId).slice(0, -2)}xx`,
    ];
    for (const token of junk) await expectPixel(await hit(`${tracker.url}/o/${token}`));
    const valid = openToken(orgId);
    const head = await hit(buildOpenUrl(tracker.url, valid), {}, 'HEAD');
    assert.equal(head.status, 200);
    assert.equal(head.headers.get('content-type'), 'image/gif');
    await expectPixel(await hit(buildOpenUrl(tracker.url, valid)));
    const rows = await waitForRows(orgId, 1);
    await delay(100);
    assert.equal((await rowsOf(orgId)).length, 1, 'forged, expired, garbled, wrong-kind tokens and HEAD record nothing');
    assert.equal(rows[0]!.label, 'human');
  });

  test('the database being down costs the pixel nothing, and the hits arrive when it is back', async () => {
    const orgId = randomUUID();
    const dbName = new URL(db.url).pathname.slice(1);
    const admin = new Client({ connectionString: env('DATABASE_URL') });
    await admin.connect();
    try {
      await admin.query(`ALTER DATABASE ${dbName} CONNECTION LIMIT 0`);
      await admin.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()`, [dbName]);
      for (let i = 0; i < 20; i++) {
        const started = Date.now();
        await expectPixel(await hit(buildOpenUrl(tracker.url, openToken(orgId))));
        assert.ok(Date.now() - started < 1_000, 'answered at once');
      }
      await admin.query(`ALTER DATABASE ${dbName} CONNECTION LIMIT -1`);
    } finally {
      await admin.query(`ALTER DATABASE ${dbName} CONNECTION LIMIT -1`).catch(() => undefined);
      await admin.end();
    }
    assert.equal((await waitForRows(orgId, 20)).length, 20, 'every hit written after recovery');
  });
});

describe('click redirect', () => {
  test('302 to the URL fixed at send time; invalid tokens get a plain 404 and no redirect', async () => {
    const orgId = randomUUID();
    const emailId = randomUUID();
    const ok = await hit(`${buildClickUrl(tracker.url, clickToken(orgId, emailId, 0, 'https://example.com/pricing?x=1'))}?url=https://evil.example/`);
    assert.equal(ok.status, 302);
    assert.equal(ok.headers.get('location'), 'https://example.com/pricing?x=1', 'the query string never chooses the target');
    const forged = signTrackingToken({ kind: 'click', orgId, sentEmailId: emailId, linkIndex: 1, url: 'https://evil.example/', issuedAt: new Date() }, parseSigningKeys(generateSigningKeySpec('t1')));
    for (const path of [
      `/c/${forged}`,
      `/c/${openToken(orgId, emailId)}`,
      '/c/https%3A%2F%2Fevil.example%2F',
      '/c/garbled',
      `/c/${clickToken(orgId, emailId, 2, 'https://example.com/', new Date(Date.now() - 3 * 365 * 86_400_000))}`,
    ]) {
      const res = await hit(`${tracker.url}${path}?url=https://evil.example/&redirect=https://evil.example/`);
      assert.equal(res.status, 404, path.slice(0, 40));
      assert.equal(res.headers.get('location'), null);
      assert.match(res.headers.get('content-type') ?? '', /^text\/plain/);
    }
    const rows = await waitForRows(orgId, 1);
    await delay(100);
    assert.equal((await rowsOf(orgId)).length, 1);
    assert.equal(rows[0]!.type, 'clicked');
  });
});

describe('classification end to end', () => {
  test('each rule labels the stored hit, with reasons', async () => {
    const orgId = randomUUID();
    const recent = new Date(Date.now() - 5_000);
    const e = Array.from({ length: 7 }, () => randomUUID());
    const cases: { email: string; url: string; headers?: Record<string, string>; method?: string; label: string; reason: RegExp }[] = [
      { email: e[0]!, url: buildOpenUrl(tracker.url, openToken(orgId, e[0], recent)), headers: { 'user-agent': 'Mozilla/5.0', 'x-forwarded-for': '17.58.100.1' }, label: 'privacy_prefetch', reason: /Apple/ },
      { email: e[1]!, url: buildOpenUrl(tracker.url, openToken(orgId, e[1])), headers: { 'user-agent': 'Mozilla/5.0 (Windows NT 5.1; rv:11.0) Gecko Firefox/11.0 (via ggpht.com GoogleImageProxy)' }, label: 'mail_proxy', reason: /Gmail/ },
      { email: e[2]!, url: buildOpenUrl(tracker.url, openToken(orgId, e[2], recent)), headers: { 'x-forwarded-for': '40.107.1.20' }, label: 'security_scanner', reason: /Exchange Online Protection/ },
      { email: e[3]!, url: buildClickUrl(tracker.url, clickToken(orgId, e[3]!, 0)), headers: { 'user-agent': 'Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)' }, label: 'link_preview', reason: /Slack/ },
      { email: e[4]!, url: buildClickUrl(tracker.url, clickToken(orgId, e[4]!, 0)), method: 'HEAD', label: 'security_scanner', reason: /HEAD/ },
      { email: e[5]!, url: buildClickUrl(tracker.url, clickToken(orgId, e[5]!, 0, 'https://example.com/', recent)), label: 'security_scanner', reason: /click before any open/ },
      { email: e[6]!, url: buildOpenUrl(tracker.url, openToken(orgId, e[6])), headers: { 'x-forwarded-for': '198.18.0.1' }, label: 'human', reason: /no machine signature/ },
    ];
    for (const c of cases) assert.ok([200, 302].includes((await hit(c.url, c.headers, c.method)).status));
    const rows = await waitForRows(orgId, cases.length);
    for (const c of cases) {
      const row = rows.find((r) => r.sent_email_id === c.email);
      assert.equal(row?.label, c.label, `${c.label}: ${JSON.stringify(row?.reasons)}`);
      assert.ok(row.reasons.some((r) => c.reason.test(r)), JSON.stringify(row.reasons));
    }
  });

  test('a link burst (several links of one email within 2 s) is a scanner; a reader clicking after opening is human', async () => {
    const orgId = randomUUID();
    const emailId = randomUUID();
    await hit(buildOpenUrl(tracker.url, openToken(orgId, emailId)));
    await waitForRows(orgId, 1);
    await hit(buildClickUrl(tracker.url, clickToken(orgId, emailId, 0)));
    await hit(buildClickUrl(tracker.url, clickToken(orgId, emailId, 1)));
    await hit(buildClickUrl(tracker.url, clickToken(orgId, emailId, 2)));
    const rows = await waitForRows(orgId, 4);
    assert.deepEqual(rows.map((r) => [r.type, r.link_index, r.label]), [
      ['opened', null, 'human'],
      ['clicked', 0, 'security_scanner'],
      ['clicked', 1, 'security_scanner'],
      ['clicked', 2, 'security_scanner'],
    ]);
    assert.match(rows[3]!.reasons[0]!, /link burst: 3 links/);
    // The first click was served as a person's (nothing before it) and corrected by the store.
    assert.match(rows[1]!.reasons[0]!, /link burst: 3 links of the email within 2 s \(found after the click\)/);
  });

  test('an open another replica served (already in the store) counts: a click soon after the send is then human', async () => {
    const orgId = randomUUID();
    const emailId = randomUUID();
    const recent = new Date(Date.now() - 20_000);
    // What the store holds after another replica served the open (and the same for a scanner's
    // open of a second email, which must not count).
    const scannedId = randomUUID();
    for (const [email, label] of [
      [emailId, 'human'],
      [scannedId, 'security_scanner'],
    ] as const) {
      await tracker.runtime.dataSource.query(
        `INSERT INTO tracker.engagement (id, org_id, sent_email_id, type, label, confidence, reasons, occurred_at) VALUES ($1, $2, $3, 'opened', $4, 0.7, '[]', now() - interval '10 seconds')`,
        [randomUUID(), orgId, email, label],
      );
    }
    await hit(buildClickUrl(tracker.url, clickToken(orgId, emailId, 0, 'https://example.com/', recent)));
    await hit(buildClickUrl(tracker.url, clickToken(orgId, scannedId, 0, 'https://example.com/', recent)));
    const rows = await waitForRows(orgId, 4);
    const click = (email: string) => rows.find((r) => r.sent_email_id === email && r.type === 'clicked');
    assert.equal(click(emailId)?.label, 'human', JSON.stringify(click(emailId)?.reasons));
    assert.equal(click(scannedId)?.label, 'security_scanner', 'a scanner’s open is not a person opening');
    assert.ok(click(scannedId)!.reasons.some((r) => /click before any open/.test(r)));
  });

  test('while the store is slow to answer, the held click and the later hits of its email keep their order', async () => {
    const orgId = randomUUID();
    const emailId = randomUUID();
    const recent = new Date(Date.now() - 20_000);
    // The lookup waits on this lock until it gives up (250 ms); the open sent meanwhile must not overtake the click.
    const blocker = new Client({ connectionString: db.url });
    await blocker.connect();
    await blocker.query('BEGIN');
    await blocker.query('LOCK TABLE tracker.engagement IN ACCESS EXCLUSIVE MODE');
    try {
      assert.equal((await hit(buildClickUrl(tracker.url, clickToken(orgId, emailId, 0, 'https://example.com/', recent)))).status, 302);
      await expectPixel(await hit(buildOpenUrl(tracker.url, openToken(orgId, emailId))));
    } finally {
      await blocker.query('COMMIT');
      await blocker.end();
    }
    const kafka = createKafka({ brokers: env('KAFKA_BROKERS').split(','), clientId: 'edge-order-reader', logger: createLogger({ service: 'tracker', level: 'silent' }) });
    const reader = kafka.consumer({ groupId: `${prefix}order-reader-${randomUUID()}`, maxWaitTimeInMs: 100 });
    const seen: { type: string; label: string }[] = [];
    await reader.connect();
    try {
      await reader.subscribe({ topics: [prefix + trackingEngagementTopic.name], fromBeginning: true });
      await reader.run({
        eachMessage: async ({ message }) => {
          const event = JSON.parse(message.value?.toString('utf8') ?? '{}') as { sentEmailId: string; type: string; classification: { label: string } };
          if (event.sentEmailId === emailId) seen.push({ type: event.type, label: event.classification.label });
        },
      });
      const deadline = Date.now() + 30_000;
      while (seen.length < 2) {
        if (Date.now() > deadline) throw new Error(`expected 2 events of the email on Kafka, saw ${seen.length}`);
        await delay(50);
      }
    } finally {
      await reader.disconnect();
    }
    // No answer in time: the click is labelled on what this replica saw (no open yet), and first.
    assert.deepEqual(seen, [
      { type: 'clicked', label: 'security_scanner' },
      { type: 'opened', label: 'human' },
    ]);
  });

  test('office ranges make hits internal; they are set and listed over REST', async () => {
    const orgId = randomUUID();
    const put = await fetch(`${tracker.url}/v1/office-ranges`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', ...(await localIdentityHeaders(orgId)) },
      body: JSON.stringify({ ranges: [{ cidr: '203.0.113.7/24', name: 'HQ' }] }),
    });
    assert.equal(put.status, 200);
    assert.deepEqual(await put.json(), { ranges: [{ cidr: '203.0.113.0/24', name: 'HQ' }] });
    const bad = await fetch(`${tracker.url}/v1/office-ranges`, { method: 'PUT', headers: { 'content-type': 'application/json', ...(await localIdentityHeaders(orgId)) }, body: JSON.stringify({ ranges: [{ cidr: 'not-a-range' }] }) });
    assert.equal(bad.status, 400);
    assert.deepEqual(await (await fetch(`${tracker.url}/v1/office-ranges`, { headers: { ...(await localIdentityHeaders(orgId)) } })).json(), { ranges: [{ cidr: '203.0.113.0/24', name: 'HQ' }] });
    await hit(buildOpenUrl(tracker.url, openToken(orgId)), { 'x-forwarded-for': '203.0.113.99' });
    await hit(buildOpenUrl(tracker.url, openToken(randomUUID())), { 'x-forwarded-for': '203.0.113.99' });
    const rows = await waitForRows(orgId, 1);
    assert.equal(rows[0]!.label, 'internal');
  });

  test('office ranges broader than a /8 (IPv4) or a /32 (IPv6) are refused, naming each entry, and nothing changes', async () => {
    const orgId = randomUUID();
    const put = (ranges: { cidr: string; name?: string }[]) =>
      localIdentityHeaders(orgId).then((auth) => fetch(`${tracker.url}/v1/office-ranges`, { method: 'PUT', headers: { 'content-type': 'application/json', ...auth }, body: JSON.stringify({ ranges }) }));
    assert.equal((await put([{ cidr: '198.51.100.0/24', name: 'HQ' }])).status, 200);
    for (const [cidr, why] of [
      ['0.0.0.0/0', /more IPv4 addresses than a \/8/],
      ['10.0.0.0/7', /more IPv4 addresses than a \/8/],
      ['::/0', /more IPv4 addresses than a \/8/],
      ['::ffff:0:0/96', /more IPv4 addresses than a \/8/],
      ['2001:db8::/31', /broader than a \/32/],
    ] as const) {
      const answer = await put([{ cidr: '203.0.113.0/24', name: 'Branch' }, { cidr, name: 'Everything' }]);
      assert.equal(answer.status, 400, cidr);
      const body = (await answer.json()) as { error: string; issues: { path: string; message: string }[] };
      assert.equal(body.error, 'office_range_too_broad', cidr);
      assert.deepEqual(body.issues.map((i) => i.path), ['ranges.1.cidr'], cidr);
      assert.match(body.issues[0]!.message, why, cidr);
    }
    for (const cidr of ['10.0.0.0/8', '2001:db8::/32', '::ffff:10.0.0.0/104']) assert.equal((await put([{ cidr }])).status, 200, cidr);
    assert.deepEqual(await (await fetch(`${tracker.url}/v1/office-ranges`, { headers: await localIdentityHeaders(orgId) })).json(), { ranges: [{ cidr: '::ffff:10.0.0.0/104', name: null }] });
  });
});

describe('self-view filtering', () => {
  test('a registered device makes hits on its org’s emails `self`, until it is revoked', async () => {
    const orgId = randomUUID();
    const userId = randomUUID();
    const issued = await fetch(`${tracker.url}/v1/device-registrations`, { method: 'POST', headers: { 'content-type': 'application/json', ...(await localIdentityHeaders(orgId)) }, body: JSON.stringify({ userId }) });
    assert.equal(issued.status, 201);
    const { registerPath } = (await issued.json()) as { registerPath: string };

    const evil = await hit(`${tracker.url}${registerPath}&return=${encodeURIComponent('https://evil.example/')}`);
    assert.equal(evil.status, 200, 'an unlisted return URL is ignored, never followed');
    assert.equal(evil.headers.get('location'), null);

    const registered = await hit(`${tracker.url}${registerPath}&return=${encodeURIComponent(`${APP}/settings`)}`);
    assert.equal(registered.status, 302);
    assert.equal(registered.headers.get('location'), `${APP}/settings`);
    const setCookie = registered.headers.get('set-cookie') ?? '';
    assert.match(setCookie, /^tt_dev=[A-Za-z0-9_-]+; Path=\/; Max-Age=\d+; HttpOnly; SameSite=Lax$/, 'plain http: Lax (Secure+None over https)');
    const cookie = setCookie.split(';')[0]!;

    const bad = await hit(`${tracker.url}/d/register?token=forged.token`);
    assert.equal(bad.status, 400);
    assert.equal(bad.headers.get('set-cookie'), null);

    await hit(buildOpenUrl(tracker.url, openToken(orgId)), { cookie });
    const rows = await waitForRows(orgId, 1);
    assert.equal(rows[0]!.label, 'self');

    const otherOrg = randomUUID();
    await hit(buildOpenUrl(tracker.url, openToken(otherOrg)), { cookie });
    assert.equal((await waitForRows(otherOrg, 1))[0]!.label, 'human', 'a device is self only for its own org');

    const listed = (await (await fetch(`${tracker.url}/v1/users/${userId}/devices`, { headers: { ...(await localIdentityHeaders(orgId)) } })).json()) as { devices: { deviceId: string; revokedAt: string | null }[] };
    assert.equal(listed.devices.length, 2, 'both registrations (the first had no cookie yet)');
    for (const device of listed.devices) {
      const revoked = await fetch(`${tracker.url}/v1/users/${userId}/devices/${device.deviceId}`, { method: 'DELETE', headers: { ...(await localIdentityHeaders(orgId)) } });
      assert.equal(revoked.status, 200);
      assert.ok(((await revoked.json()) as { revokedAt: string | null }).revokedAt);
    }
    const missing = await fetch(`${tracker.url}/v1/users/${userId}/devices/${randomUUID()}`, { method: 'DELETE', headers: { ...(await localIdentityHeaders(orgId)) } });
    assert.equal(missing.status, 404);
    await hit(buildOpenUrl(tracker.url, openToken(orgId)), { cookie });
    assert.equal((await waitForRows(orgId, 2))[1]!.label, 'human', 'a revoked device no longer filters');
  });
});

describe('aggregation', () => {
  test('per-email counters are derived from the append-only rows', async () => {
    const orgId = randomUUID();
    const emailId = randomUUID();
    await hit(buildOpenUrl(tracker.url, openToken(orgId, emailId)), { 'user-agent': 'Mozilla/5.0', 'x-forwarded-for': '17.1.1.1' });
    await hit(buildOpenUrl(tracker.url, openToken(orgId, emailId)));
    await hit(buildOpenUrl(tracker.url, openToken(orgId, emailId)));
    await hit(buildClickUrl(tracker.url, clickToken(orgId, emailId, 1)));
    await waitForRows(orgId, 4);
    const res = await fetch(`${tracker.url}/v1/emails/${emailId}/engagement`, { headers: { ...(await localIdentityHeaders(orgId)) } });
    const summary = (await res.json()) as Record<string, unknown>;
    assert.equal(summary.humanOpens, 2);
    assert.equal(summary.humanClicks, 1);
    assert.equal(summary.machineHits, 1);
    assert.equal(typeof summary.firstHumanOpenAt, 'string');
    assert.deepEqual(summary.clicksPerLink, [{ linkIndex: 1, url: 'https://example.com/page/1', humanClicks: 1, machineClicks: 0 }]);
  });

  test('GET /v1/emails/engagement?ids=: many summaries at once, in the order asked, zeros for the unknown and for another organisation', async () => {
    const orgId = randomUUID();
    const [opened, clicked, untouched] = [randomUUID(), randomUUID(), randomUUID()];
    const otherOrgsEmail = randomUUID();
    await hit(buildOpenUrl(tracker.url, openToken(orgId, opened)));
    await hit(buildOpenUrl(tracker.url, openToken(orgId, opened)));
    await hit(buildClickUrl(tracker.url, clickToken(orgId, clicked, 2)));
    await hit(buildOpenUrl(tracker.url, openToken(randomUUID(), otherOrgsEmail)));
    await waitForRows(orgId, 3);
    const many = async (ids: string) => fetch(`${tracker.url}/v1/emails/engagement?ids=${ids}`, { headers: { ...(await localIdentityHeaders(orgId)) } });
    const res = await many([clicked, untouched, opened.toUpperCase(), otherOrgsEmail, opened].join(','));
    assert.equal(res.status, 200);
    const { items } = (await res.json()) as { items: { sentEmailId: string; humanOpens: number; humanClicks: number; clicksPerLink: { linkIndex: number }[] }[] };
    assert.deepEqual(items.map((i) => i.sentEmailId), [clicked, untouched, opened, otherOrgsEmail], 'in order, repeats once');
    assert.deepEqual(items.map((i) => [i.humanOpens, i.humanClicks]), [[0, 1], [0, 0], [2, 0], [0, 0]]);
    assert.deepEqual(items[0]!.clicksPerLink.map((l) => l.linkIndex), [2]);
    const single = (await (await fetch(`${tracker.url}/v1/emails/${opened}/engagement`, { headers: { ...(await localIdentityHeaders(orgId)) } })).json()) as { humanOpens: number };
    assert.equal(single.humanOpens, items[2]!.humanOpens, 'the same summary as one email at a time');

    for (const bad of ['', 'nope', `${opened},nope`, Array.from({ length: 101 }, () => randomUUID()).join(',')]) {
      const refused = await many(bad);
      assert.equal(refused.status, 400, bad.slice(0, 40));
      assert.match(((await refused.json()) as { issues: { path: string }[] }).issues[0]!.path, /^ids(\.\d+)?$/);
    }
    assert.equal((await many(Array.from({ length: 100 }, () => randomUUID()).join(','))).status, 200, '100 ids');
  });
});

describe('metrics', () => {
  test('hits are counted by type and label on the metrics port', async () => {
    const scrape = async () => (await fetch(tracker.metricsUrl)).text();
    const count = (page: string, type: string, label: string) => sampleValue(page, 'telltale_tracker_hits_total', { type, label }) ?? 0;
    const before = await scrape();
    const orgId = randomUUID();
    const emailId = randomUUID();
    await hit(buildOpenUrl(tracker.url, openToken(orgId, emailId)));
    await hit(buildOpenUrl(tracker.url, openToken(orgId, emailId)));
    await hit(buildOpenUrl(tracker.url, openToken(orgId, emailId)), { 'user-agent': 'Mozilla/5.0 (Windows NT 5.1; rv:11.0) Gecko Firefox/11.0 (via ggpht.com GoogleImageProxy)' });
    await hit(buildClickUrl(tracker.url, clickToken(orgId, emailId, 0)), { 'user-agent': 'Slackbot-LinkExpanding 1.0 (+https://api.slack.com/robots)' });
    await waitForRows(orgId, 4);
    const after = await scrape();
    assert.equal(count(after, 'opened', 'human') - count(before, 'opened', 'human'), 2);
    assert.equal(count(after, 'opened', 'mail_proxy') - count(before, 'opened', 'mail_proxy'), 1);
    assert.equal(count(after, 'clicked', 'link_preview') - count(before, 'clicked', 'link_preview'), 1);
    assert.equal(sampleValue(after, 'telltale_tracker_spill_segments'), 0, 'Kafka up: nothing spilled');
    assert.ok(!after.includes(orgId) && !after.includes(emailId), 'no ids in labels');
    // The engagement store (a batch consumer) counts what it stored, once the chunk's transaction is done.
    const store = { consumer: 'tracker.engagement-store', topic: trackingEngagementTopic.name };
    const stored = (page: string) => sampleValue(page, 'telltale_kafka_consumed_events_total', { ...store, outcome: 'handled' }) ?? 0;
    const page = await eventually('the store counted the hits', async () => {
      const p = await scrape();
      return stored(p) - stored(before) >= 4 ? p : undefined;
    });
    assert.ok(sampleValue(page, 'telltale_kafka_handle_duration_seconds_count', { ...store, mode: 'batch' })! >= 1);
  });
});
