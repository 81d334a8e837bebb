import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { ManualClock } from '@telltale/db';
import { SANDBOX_PASSWORD } from '@telltale/oidc-sandbox';
import { createTestDatabase, startSalesforceSandbox, type SalesforceSandbox } from '@telltale/testing';
import {
  DESKTOP,
  PHONE,
  collectPageErrors,
  launchChromium,
  requiredEnv,
  screenshot,
  seriousAccessibilityViolations,
  signInInBrowser,
  startSignedInSystem,
  type SignedInSystem,
} from '../src';

/**
 * Settings → Salesforce in Chromium (issue 14): an admin connects the organisation's Salesforce
 * through the local Salesforce org's consent page (OAuth web-server flow with PKCE, sandbox login),
 * runs the pre-flight (ready, then a hidden and a read-only field named), sees the connection need
 * reconnecting when Salesforce revokes the grant, reconnects, and disconnects. Each screen is
 * checked by axe and screenshotted at 1280 and 390 px into .data/screenshots/ (not committed).
 */

const ADMIN = 'admin@telltale.test';
/** Chromium logs every 4xx answer to a fetch: the 401 of /api/v1/me before sign-in, the 409 of the pre-flight on a revoked grant. */
const EXPECTED_CONSOLE = [/status of 401 .*\/api\/v1\/me\)$/, /status of 409 .*\/api\/v1\/salesforce\/connection\/preflight\)$/];

let system: SignedInSystem;
let drop: () => Promise<void>;
let salesforce: SalesforceSandbox;
let browser: Browser;
let page: Page;
let pageErrors: string[];
let appUrl: string;

async function checkScreen(name: string): Promise<void> {
  for (const [size, viewport] of [
    ['1280', DESKTOP],
    ['390', PHONE],
  ] as const) {
    await page.setViewportSize(viewport);
    await page.waitForLoadState('networkidle').catch(() => undefined);
    await screenshot(page, `salesforce-${name}-${size}`);
    const violations = await seriousAccessibilityViolations(page);
    assert.deepEqual(violations, [], `${name} at ${size} px: ${JSON.stringify(violations, null, 1)}`);
  }
  await page.setViewportSize(DESKTOP);
}

const badge = (label: string) => page.getByLabel(`Salesforce: ${label}`).waitFor();

before(async () => {
  const db = await createTestDatabase(requiredEnv('DATABASE_URL'));
  drop = db.drop;
  salesforce = await startSalesforceSandbox();
  system = await startSignedInSystem({
    databaseUrl: db.url,
    kafkaBrokers: requiredEnv('KAFKA_BROKERS'),
    topicPrefix: `web-sf-${randomBytes(4).toString('hex')}.`,
    clock: new ManualClock(new Date()),
    salesforce: { loginUrl: salesforce.url, clientId: salesforce.clientId, clientSecret: salesforce.clientSecret, username: 'rep@telltale.sandbox', password: 'telltale-sandbox-password' },
  });
  appUrl = system.identity.app.url;
  browser = await launchChromium();
  const context = await browser.newContext({ viewport: DESKTOP, reducedMotion: 'reduce' });
  context.setDefaultTimeout(15_000);
  page = await context.newPage();
  pageErrors = collectPageErrors(page, EXPECTED_CONSOLE);
});

after(async () => {
  await browser?.close();
  await system?.stop();
  await salesforce?.stop();
  await drop?.();
});

describe('Settings → Salesforce in Chromium', () => {
  it('connects through Salesforce’s consent page, runs the pre-flight, reconnects after a revoked grant, disconnects', async () => {
    await signInInBrowser(page, appUrl, ADMIN, SANDBOX_PASSWORD);
    await page.goto(`${appUrl}/settings/salesforce`);
    await page.getByRole('heading', { name: 'Salesforce', level: 3 }).waitFor();
    await badge('Not connected');
    await page.getByText('Using the shared integration user').waitFor();
    await checkScreen('not-connected');

    // Sandbox login: the button sends the browser to the login host's consent page, which approves and comes back.
    const connect = page.getByRole('form', { name: 'Connect Salesforce' });
    await connect.getByText('Sandbox', { exact: true }).click();
    assert.ok(await connect.getByRole('radio', { name: 'Sandbox' }).isChecked());
    await page.getByRole('button', { name: 'Connect with Salesforce' }).click();
    await page.waitForURL((url) => url.pathname === '/settings/salesforce' && !url.search);
    await badge('Connected');
    await page.getByRole('cell', { name: 'rep@telltale.sandbox' }).waitFor();
    await page.getByRole('cell', { name: salesforce.organizationId }).waitFor();
    assert.ok(salesforce.requests.some((r) => r.method === 'GET' && r.path === '/services/oauth2/authorize'), 'the browser went through the consent page');

    await page.getByRole('button', { name: 'Run pre-flight' }).click();
    await page.getByRole('status').filter({ hasText: 'Ready' }).waitFor();
    await checkScreen('connected-ready');

    salesforce.setFieldAccess('Task', 'Telltale_Opens__c', 'hidden');
    salesforce.setFieldAccess('Task', 'Telltale_Message_Id__c', 'read');
    await page.getByRole('button', { name: 'Run pre-flight' }).click();
    const problems = page.getByRole('status').filter({ hasText: '2 things to fix in Salesforce' });
    await problems.waitFor();
    await problems.getByText('Task.Telltale_Opens__c is missing or hidden from rep@telltale.sandbox').waitFor();
    await problems.getByText('cannot set Task.Telltale_Message_Id__c').waitFor();
    await checkScreen('preflight-problems');

    // Salesforce revokes the app: the next call finds out, and the page says activities wait.
    salesforce.revokeAllTokens();
    await page.getByRole('button', { name: 'Run pre-flight' }).click();
    await badge('Needs reconnecting');
    await page.getByRole('alert').filter({ hasText: 'Activities are waiting' }).waitFor();
    await checkScreen('needs-reconnect');

    await page.getByRole('button', { name: 'Reconnect with Salesforce' }).click();
    await page.waitForURL((url) => url.pathname === '/settings/salesforce' && !url.search);
    await badge('Connected');

    await page.getByRole('button', { name: 'Disconnect' }).click();
    await page.getByRole('button', { name: 'Yes, disconnect' }).click();
    await badge('Disconnected');
    await checkScreen('disconnected');
    assert.deepEqual(pageErrors, []);
  });
});
