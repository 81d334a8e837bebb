import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes, randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { sharedLocalIdentity, type StartedService } from '@telltale/runtime';
import { createTestDatabase, eventually } from '@telltale/testing';
import { buildUnsubscribeUrl, generateSigningKeySpec, parseSigningKeys, signTrackingToken, signUnsubscribeToken } from '@telltale/tracking';
import { TrackerConfig, startTracker } from '../src';

/**
 * /u/{token} (issue 15) against real PostgreSQL and Kafka: the one-click POST of RFC 8058 §3.2
 * (urlencoded or multipart, no cookie, 200 without a page, idempotent), a GET that only shows the
 * page, the page's button, and forged or altered tokens answered with a clear 400.
 */

function env(name: string): string {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set: run with \`npm test\``);
  return v;
}

const keySpec = generateSigningKeySpec('t1');
const keys = parseSigningKeys(keySpec);
const ORG = randomUUID();
const prefix = `unsub-${randomBytes(4).toString('hex')}.`;
let tracker: StartedService;
let db: { url: string; drop(): Promise<void> };
let pg: Client;
let spillDir: string;

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
      TRACKER_SPILL_DIR: spillDir,
    }),
  );
  pg = new Client({ connectionString: db.url });
  await pg.connect();
});

after(async () => {
  await pg?.end();
  await tracker?.stop();
  await db?.drop();
  rmSync(spillDir, { recursive: true, force: true });
});

function urlFor(enrollmentId: string, address: string): string {
  return buildUnsubscribeUrl(tracker.url, signUnsubscribeToken({ orgId: ORG, enrollmentId, address, issuedAt: new Date() }, keys));
}

async function events(enrollmentId: string): Promise<{ payload: any; published: boolean }[]> {
  const { rows } = await pg.query(`SELECT payload, published_at IS NOT NULL AS published FROM tracker.outbox WHERE topic = $1 AND payload->>'enrollmentId' = $2 ORDER BY seq`, [
    `${prefix}unsubscribe.requested.v1`,
    enrollmentId,
  ]);
  return rows as { payload: any; published: boolean }[];
}

const oneClick = (url: string, init: RequestInit = {}) =>
  fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'List-Unsubscribe=One-Click', redirect: 'manual', ...init });

test('one-click POST: 200 with no page and no cookie needed; the event is published once however often it is posted', async () => {
  const enrollmentId = randomUUID();
  const url = urlFor(enrollmentId, 'Jo@Prospect.test');
  assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/u\/[A-Za-z0-9_-]+$/);
  const first = await oneClick(url);
  assert.equal(first.status, 200);
  assert.equal(await first.text(), '');
  assert.equal(first.headers.get('set-cookie'), null);
  assert.equal((await oneClick(url)).status, 200);
  const [event, ...more] = await eventually('the event published', async () => {
    const rows = await events(enrollmentId);
    return rows.length > 0 && rows.every((r) => r.published) ? rows : undefined;
  });
  assert.equal(more.length, 0);
  assert.deepEqual(
    { ...event!.payload, unsubscribeId: undefined, occurredAt: undefined },
    { unsubscribeId: undefined, orgId: ORG, enrollmentId, address: 'jo@prospect.test', via: 'one_click', occurredAt: undefined },
  );
});

test('one-click POST as multipart/form-data (RFC 8058 allows either form encoding)', async () => {
  const enrollmentId = randomUUID();
  const form = new FormData();
  form.set('List-Unsubscribe', 'One-Click');
  const res = await fetch(urlFor(enrollmentId, 'multi@prospect.test'), { method: 'POST', body: form });
  assert.equal(res.status, 200);
  assert.equal((await eventually('the event', async () => ((await events(enrollmentId)).length === 1 ? events(enrollmentId) : undefined)))[0]!.payload.via, 'one_click');
});

test('GET only shows the page (link scanners prefetch); its button unsubscribes', async () => {
  const enrollmentId = randomUUID();
  const url = urlFor(enrollmentId, 'page@prospect.test');
  for (let i = 0; i < 3; i++) {
    const page = await fetch(url);
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-type') ?? '', /^text\/html/);
    assert.match(page.headers.get('cache-control') ?? '', /no-store/);
    const html = await page.text();
    assert.match(html, /<html lang="en">/);
    assert.match(html, /<form method="post">/);
    assert.match(html, /<input type="hidden" name="List-Unsubscribe" value="One-Click">/);
    assert.match(html, /<button type="submit">Unsubscribe<\/button>/);
    assert.match(html, /page@prospect\.test/);
  }
  // The GET handler writes nothing (it answers synchronously): no event at all.
  assert.deepEqual(await events(enrollmentId), []);
  const pressed = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'List-Unsubscribe=One-Click&source=page' });
  assert.equal(pressed.status, 200);
  assert.match(await pressed.text(), /You are unsubscribed/);
  assert.equal((await eventually('the event', async () => ((await events(enrollmentId)).length === 1 ? events(enrollmentId) : undefined)))[0]!.payload.via, 'unsubscribe_page');
});

test('a forged, altered or foreign token is a clear 400, and so is a POST without the one-click body', async () => {
  const enrollmentId = randomUUID();
  const url = urlFor(enrollmentId, 'forged@prospect.test');
  const token = url.slice(url.lastIndexOf('/') + 1);
  const altered = `${tracker.url}/u/${token.slice(0, 40)}${token[40] === 'A' ? 'B' : 'A'}${token.slice(41)}`;
  const otherKeys = parseSigningKeys(generateSigningKeySpec('t1'));
  const forged = buildUnsubscribeUrl(tracker.url, signUnsubscribeToken({ orgId: ORG, enrollmentId, address: 'forged@prospect.test', issuedAt: new Date() }, otherKeys));
  const clickToken = `${tracker.url}/u/${signTrackingToken({ kind: 'open', orgId: ORG, sentEmailId: enrollmentId, issuedAt: new Date() }, keys)}`;
  for (const bad of [altered, forged, clickToken, `${tracker.url}/u/nope`]) {
    const page = await fetch(bad);
    assert.equal(page.status, 400, bad);
    assert.match(await page.text(), /This unsubscribe link is not valid/);
    const post = await oneClick(bad);
    assert.equal(post.status, 400);
    assert.match(await post.text(), /not valid/);
  }
  const wrongBody = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'unsubscribe=yes' });
  assert.equal(wrongBody.status, 400);
  assert.match(await wrongBody.text(), /List-Unsubscribe=One-Click/);
  // A JSON body is read by the service's JSON parser before the route: still a 400, never a hang.
  const json = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"List-Unsubscribe":"One-Click"}' });
  assert.equal(json.status, 400);
  const huge = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `List-Unsubscribe=One-Click&x=${'a'.repeat(10_000)}` });
  assert.equal(huge.status, 400);
  assert.deepEqual(await events(enrollmentId), []);
});
