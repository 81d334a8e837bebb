import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { SANDBOX_PASSWORD } from '@telltale/oidc-sandbox';
import { IdentityTokenIssuer, generateServiceCredential, type StartedService } from '@telltale/runtime';
import { checkScreen, collectPageErrors, eventually, launchChromium, requiredEnv, screenshot, serviceIdentityEnv, signInInBrowser, startIdentitySystem, type IdentitySystem } from '../src';
import { createTestDatabase, makeOfficeFile } from '@telltale/testing';
import { ContentConfig, startContent } from '@telltale/content';

/**
 * The Content screen in Chromium (issue 16), through the app's gateway to the content service: an
 * admin uploads a real .docx (progress, then pending → ready with its pages and a thumbnail),
 * searches its text, is told why a renamed executable is refused, and on the Free plan sees the
 * explanation instead of the library. Screens at 1280 and 390 px in .data/screenshots/, axe clean.
 */
describe('Content screen (browser)', () => {
  let content: StartedService;
  let identity: IdentitySystem;
  let browser: Browser;
  let page: Page;
  let pageErrors: string[];
  let files: string;
  const drops: (() => Promise<void>)[] = [];
  const app = generateServiceCredential('app');

  before(async () => {
    const signing = await IdentityTokenIssuer.generate('telltale-app');
    const prefix = `content-page-${randomBytes(4).toString('hex')}.`;
    const db = await createTestDatabase(requiredEnv('DATABASE_URL'));
    drops.push(db.drop);
    files = await mkdtemp(join(tmpdir(), 'telltale-content-page-'));
    drops.push(() => rm(files, { recursive: true, force: true }));
    content = await startContent(
      ContentConfig.parse({
        DATABASE_URL: db.url,
        KAFKA_BROKERS: requiredEnv('KAFKA_BROKERS'),
        KAFKA_TOPIC_PREFIX: prefix,
        PORT: '0',
        HOST: '127.0.0.1',
        LOG_LEVEL: 'warn',
        ...serviceIdentityEnv(signing),
        INTERNAL_CALLERS: app.entry,
        CONTENT_STORAGE_DIR: join(files, 'store'),
        CONTENT_CONVERSION_TICK_MS: '200',
      }),
    );
    drops.push(() => content.stop());
    identity = await startIdentitySystem({ databaseUrl: db.url, kafkaBrokers: requiredEnv('KAFKA_BROKERS'), topicPrefix: prefix, upstreams: {}, signing, appEnv: { CONTENT_URL: content.url } });
    drops.push(() => identity.stop());
    browser = await launchChromium();
    drops.push(() => browser.close());
    page = await (await browser.newContext()).newPage();
    // The 401 of /api/v1/me before sign-in, the 415 of the refused upload, the 403s of the Free plan,
    // and the 503s of the feed's lists (only the app and the content service run here).
    pageErrors = collectPageErrors(page, [/status of 401 .*\/api\/v1\/me\)$/, /status of 415/, /status of 403 .*\/api\/v1\/documents/, /status of 503 .*\/api\/v1\/(sequences|feed|emails)/]);
  });

  after(async () => {
    for (const drop of drops.reverse()) await drop().catch(() => undefined);
  });

  it('uploads a Word file, shows it converted with its pages and thumbnail, searches its text, explains a refusal and the Free plan', async () => {
    const appUrl = identity.app.url;
    await signInInBrowser(page, appUrl, 'admin@telltale.test', SANDBOX_PASSWORD);
    await page.getByRole('link', { name: 'Content' }).click();
    await page.getByText('No documents yet').waitFor();
    await checkScreen(page, 'content-empty');

    const docx = join(files, 'Proposal for Acme.docx');
    await writeFile(docx, await makeOfficeFile('docx', ['Proposal for Acme', 'Scope', 'Pricing: zanzibar tier']));
    await page.getByTestId('document-file').setInputFiles(docx);
    const row = page.getByRole('row').filter({ hasText: 'Proposal for Acme' });
    await row.waitFor();
    const viaApi = await eventually(
      'the document converted (API)',
      async () => {
        const list = (await (await fetch(`${appUrl}/api/v1/documents`, { headers: { authorization: `Bearer ${identity.adminApiKey}` } })).json()) as { items: { latest: { status: string; failureReason: string | null } }[] };
        const status = list.items[0]?.latest;
        return status && ['ready', 'failed'].includes(status.status) ? status : undefined;
      },
      { timeoutMs: 90_000, intervalMs: 500 },
    );
    assert.deepEqual(viaApi, { ...viaApi, status: 'ready', failureReason: null });
    // The screen looks again by itself while a file converts.
    await eventually('the screen shows it converted', async () => ((await row.getByText('ready').count()) > 0 ? true : undefined), { timeoutMs: 10_000, intervalMs: 200 });
    assert.equal((await row.getByRole('cell').nth(3).textContent())?.trim(), '3');
    const thumbnail = row.getByRole('img', { name: 'First page of Proposal for Acme' });
    await eventually('the thumbnail drawn', () => thumbnail.evaluate((img) => ((img as unknown as { naturalWidth: number }).naturalWidth > 0 ? true : undefined)), { timeoutMs: 10_000 });
    await checkScreen(page, 'content-list');

    await page.getByLabel('Search documents').fill('zanzibar');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByRole('row').filter({ hasText: 'Proposal for Acme' }).waitFor();
    await page.getByLabel('Search documents').fill('nothing-like-this');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByText('No document matches').waitFor();

    const exe = join(files, 'Pricing.pdf');
    await writeFile(exe, Buffer.concat([Buffer.from('MZ\x90\x00', 'latin1'), Buffer.alloc(4000)]));
    await page.getByTestId('document-file').setInputFiles(exe);
    const refusal = page.getByRole('alert').filter({ hasText: 'The file was not uploaded' });
    await refusal.waitFor();
    assert.match((await refusal.textContent()) ?? '', /Windows executable/);
    await screenshot(page, 'content-refused-1280');

    const set = await fetch(`${content.url}/internal/v1/organizations/${identity.orgId}/plan`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${app.credential}`, 'content-type': 'application/json' },
      body: JSON.stringify({ plan: 'free' }),
    });
    assert.equal(set.status, 200);
    await page.reload();
    await page.getByText('Document tracking is part of the Team plan').waitFor();
    assert.match((await page.getByRole('alert').textContent()) ?? '', /Free plan/);
    assert.equal(await page.getByRole('button', { name: 'Upload a document' }).count(), 0);
    await checkScreen(page, 'content-free-plan');
    assert.deepEqual(pageErrors, []);
  });
});
