import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { ContentConfig, startContent } from '@telltale/content';
import { generateServiceCredential, sharedLocalIdentity, type StartedService } from '@telltale/runtime';
import { createTestDatabase, findFreePort, queryRows } from '@telltale/testing';
import { AppBrowser, eventually, requiredEnv, startIdentitySystem, type IdentitySystem } from '../src';

/**
 * The organisation's plan (app) reaches the content service: the app starts while content is down
 * (the bootstrap organisation stays pending), content comes up and is told at the next retry; an
 * admin's change is pushed at once. Content's own default is team, the app's free, so content
 * refusing documents proves it heard the app.
 */
let identity: IdentitySystem;
let content: StartedService | undefined;
let contentPort: number;
let files: string;
let drop: () => Promise<void>;
let databaseUrl: string;
const app = generateServiceCredential('app');
const prefix = `plan-${randomBytes(4).toString('hex')}.`;

before(async () => {
  const db = await createTestDatabase(requiredEnv('DATABASE_URL'));
  drop = db.drop;
  databaseUrl = db.url;
  files = await mkdtemp(join(tmpdir(), 'telltale-plan-'));
  contentPort = await findFreePort();
  identity = await startIdentitySystem({
    databaseUrl: db.url,
    kafkaBrokers: requiredEnv('KAFKA_BROKERS'),
    topicPrefix: prefix,
    upstreams: { content: `http://127.0.0.1:${contentPort}` },
    appEnv: { SERVICE_CREDENTIAL: app.credential, APP_DEFAULT_PLAN: 'free', APP_PLAN_SYNC_MS: '200' },
  });
});

after(async () => {
  await identity?.stop();
  await content?.stop();
  await rm(files, { recursive: true, force: true });
  await drop?.();
});

async function documentsStatus(): Promise<number> {
  const local = await sharedLocalIdentity();
  const res = await fetch(`${content!.url}/v1/documents`, { headers: await local.headers(identity.orgId) });
  await res.body?.cancel();
  return res.status;
}

test('the plan is sent when content comes up, and again when an admin changes it', async () => {
  const pushed = async () => (await queryRows<{ plan_pushed: string | null }>(databaseUrl, `SELECT plan_pushed FROM app.organization WHERE id = $1`, [identity.orgId]))[0]?.plan_pushed;
  assert.equal(await pushed(), null, 'content is down: nothing acknowledged yet');

  const local = await sharedLocalIdentity();
  content = await startContent(
    ContentConfig.parse({
      ...local.env(),
      INTERNAL_CALLERS: `${local.env().INTERNAL_CALLERS},${app.entry}`,
      DATABASE_URL: databaseUrl,
      KAFKA_BROKERS: requiredEnv('KAFKA_BROKERS'),
      KAFKA_TOPIC_PREFIX: prefix,
      HOST: '127.0.0.1',
      PORT: String(contentPort),
      LOG_LEVEL: 'warn',
      CONTENT_STORAGE_DIR: files,
      CONTENT_DEFAULT_PLAN: 'team',
      CONTENT_CONVERSION_TICK_MS: '0',
    }),
  );
  await eventually('the app told content the free plan', async () => ((await pushed()) === 'free' ? true : undefined));
  assert.equal(await documentsStatus(), 403, 'free: no content library');

  const admin = new AppBrowser(identity.app.url);
  assert.equal((await admin.signIn('admin@telltale.test')).status, 302);
  const before = (await (await admin.fetch('/api/v1/organization')).json()) as { plan: string };
  assert.equal(before.plan, 'free', 'the default shows in the settings');
  const bad = await admin.fetch('/api/v1/organization', { method: 'PATCH', body: { plan: 'gold' } });
  assert.equal(bad.status, 400);
  const changed = await admin.fetch('/api/v1/organization', { method: 'PATCH', body: { plan: 'team' } });
  assert.equal(changed.status, 200, await changed.clone().text());
  assert.equal(((await changed.json()) as { plan: string }).plan, 'team');
  await eventually('content heard of the team plan', async () => ((await documentsStatus()) === 200 ? true : undefined));
  assert.equal(await pushed(), 'team');
});
