import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes, randomUUID } from 'node:crypto';
import { sharedLocalIdentity, type StartedService } from '@telltale/runtime';
import { createTestDatabase, eventually } from '@telltale/testing';
import { buildClickUrl, generateSigningKeySpec, parseSigningKeys, signTrackingToken } from '@telltale/tracking';
import { TrackerConfig, startTracker } from '../src';
import { CloudRangesRefresh } from '../src/classification/cloud-ranges-refresh';

/**
 * Issue 19: the cloud ranges stay current while the tracker runs. The process given
 * TRACKER_CLOUD_RANGES_REFRESH_FROM reads the providers' lists and stores the result in
 * tracker.cloud_ranges; every other tracker process loads it from there (pixel pods need no
 * internet). A list that cannot be read keeps the last good ranges and never stops the tracker.
 */

function env(name: string): string {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set: run with \`npm test\``);
  return v;
}

const keySpec = generateSigningKeySpec('t1');
const keys = parseSigningKeys(keySpec);
const CHROME = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_0) AppleWebKit/605.1.15 (KHTML, like Gecko) Chrome/131.0 Safari/537.36';
/** In 3.84.0.0/14, EC2 us-east-1 in the saved AWS list (test/fixtures/cloud-ranges/ip-ranges.json). */
const AWS_ADDRESS = '3.85.10.20';
const FIXTURES = join(__dirname, '..', '..', 'test', 'fixtures', 'cloud-ranges');

describe('cloud ranges refreshed while the tracker runs, shared through the database', () => {
  let db: { url: string; drop(): Promise<void> };
  const dirs: string[] = [];
  const trackers: StartedService[] = [];
  const prefix = `cloud-${randomBytes(4).toString('hex')}.`;

  const folder = (): string => {
    const dir = mkdtempSync(join(tmpdir(), 'tracker-cloud-'));
    dirs.push(dir);
    return dir;
  };

  const emptyRangesFile = (): string => {
    const path = join(folder(), 'cloud-ranges.json');
    writeFileSync(path, JSON.stringify({ format: 1, generatedAt: null, sources: [], ranges: [] }));
    return path;
  };

  /** Waits for the refresh started at boot (a call while one runs joins it). */
  const refreshed = (tracker: StartedService): Promise<void> => tracker.app.get(CloudRangesRefresh).refresh();

  const start = async (extra: Record<string, string>): Promise<StartedService> => {
    const tracker = await startTracker(
      TrackerConfig.parse({
        ...(await sharedLocalIdentity()).env(),
        DATABASE_URL: db.url,
        KAFKA_BROKERS: env('KAFKA_BROKERS'),
        KAFKA_TOPIC_PREFIX: prefix,
        PORT: '0',
        HOST: '127.0.0.1',
        TRACKING_SIGNING_KEYS: keySpec,
        LOG_LEVEL: 'silent',
        TRUST_PROXY: 'loopback',
        TRACKER_SPILL_DIR: folder(),
        // An empty shipped file, so only a refresh can teach the tracker any cloud range.
        TRACKER_CLOUD_RANGES_PATH: emptyRangesFile(),
        ...extra,
      }),
    );
    trackers.push(tracker);
    return tracker;
  };

  /** A click from the AWS address on `tracker`, and the label and reasons it was stored with. */
  const clickFromAws = async (tracker: StartedService): Promise<{ label: string; reasons: string[] }> => {
    const orgId = randomUUID();
    const sentEmailId = randomUUID();
    // Sent an hour ago and opened before: no timing rule applies, only the address can make it a machine.
    const issuedAt = new Date(Date.now() - 3_600_000);
    const token = signTrackingToken({ kind: 'click', orgId, sentEmailId, linkIndex: 0, url: 'https://example.com/pricing', issuedAt }, keys);
    const res = await fetch(buildClickUrl(tracker.url, token), { headers: { 'user-agent': CHROME, 'x-forwarded-for': AWS_ADDRESS }, redirect: 'manual' });
    assert.equal(res.status, 302);
    return eventually('the click stored', async () => {
      const rows = (await tracker.runtime.dataSource.query(`SELECT label, reasons FROM tracker.engagement WHERE sent_email_id = $1`, [sentEmailId])) as { label: string; reasons: string[] }[];
      return rows[0];
    }, { timeoutMs: 20_000, intervalMs: 50 });
  };

  const stored = async (tracker: StartedService) =>
    ((await tracker.runtime.dataSource.query(`SELECT file, refreshed_at FROM tracker.cloud_ranges`)) as { file: { sources: { provider: string }[] }; refreshed_at: Date }[])[0];

  before(async () => {
    db = await createTestDatabase(env('DATABASE_URL'));
  });

  after(async () => {
    for (const tracker of trackers) await tracker.stop();
    await db?.drop();
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  test('the refreshing tracker stores the lists and labels a cloud click at once; another tracker loads them from the database', async () => {
    const lists = folder();
    copyFileSync(join(FIXTURES, 'ip-ranges.json'), join(lists, 'ip-ranges.json'));
    const refresher = await start({ TRACKER_CLOUD_RANGES_REFRESH_FROM: lists });
    await refreshed(refresher);
    const row = await stored(refresher);
    assert.ok(row, 'ranges stored in tracker.cloud_ranges');
    assert.deepEqual(row.file.sources.map((s) => s.provider), ['AWS']);

    const fromRefresher = await clickFromAws(refresher);
    assert.equal(fromRefresher.label, 'security_scanner');
    assert.ok(fromRefresher.reasons.some((r) => /cloud address \(AWS us-east-1\)/.test(r)), fromRefresher.reasons.join('; '));

    // A pixel replica with no refresh of its own (and no internet): it loads what the other stored.
    const replica = await start({});
    const fromReplica = await clickFromAws(replica);
    assert.equal(fromReplica.label, 'security_scanner');
    assert.ok(fromReplica.reasons.some((r) => /cloud address \(AWS us-east-1\)/.test(r)), fromReplica.reasons.join('; '));
  });

  test('a list that cannot be read leaves the last good ranges stored and in use, and the tracker serves', async () => {
    const before = await stored(trackers[0]!);
    assert.ok(before, 'the first test stored ranges');
    const broken = folder();
    writeFileSync(join(broken, 'ip-ranges.json'), '{ "prefixes": [ { "ip_prefix": "not-a-cidr", "region": "x", "service": "EC2" } ] }');
    const tracker = await start({ TRACKER_CLOUD_RANGES_REFRESH_FROM: broken });
    await refreshed(tracker);
    const click = await clickFromAws(tracker);
    assert.equal(click.label, 'security_scanner', 'the ranges stored earlier are in use');
    const after = await stored(tracker);
    assert.equal(after?.refreshed_at.getTime(), before.refreshed_at.getTime(), 'the stored ranges were not replaced');
  });
});
