import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { ImapFlow } from 'imapflow';
import nodemailer from 'nodemailer';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { ManualClock } from '@telltale/db';
import { SANDBOX_PASSWORD } from '@telltale/oidc-sandbox';
import { StepDispatcher } from '@telltale/sequencer';
import { createTestDatabase, startSalesforceSandbox, type SalesforceSandbox } from '@telltale/testing';
import {
  AppBrowser,
  DESKTOP,
  DESKTOP_CHROME_UA,
  collectPageErrors,
  eventually,
  latestMessageWith,
  launchChromium,
  requiredEnv,
  checkScreen as checkScreenAtBothWidths,
  screenshot,
  signInInBrowser,
  startSignedInSystem,
  type SignedInSystem,
} from '../src';

/**
 * The web app's editing and wording (issue 13), in Chromium against the real system: a rep edits the
 * steps of a live sequence (and is told in plain words why a step already sent cannot be removed),
 * forms show the API's field errors in people's words, times are in the viewer's locale and time
 * zone (this browser is German, in Tokyo), and desktop notifications come for a human open, click
 * and reply but not for a machine's hit.
 */

const REP = 'sam@telltale.test';
const PROSPECT = 'flynn@flynnsarcade.com';
const LOCALE = 'de-DE';
const TIME_ZONE = 'Asia/Tokyo';
const GMAIL_PROXY_UA = 'Mozilla/5.0 (Windows NT 5.1; rv:11.0) Gecko Firefox/11.0 (via ggpht.com GoogleImageProxy)';
const clock = new ManualClock(new Date());
/** Chromium logs every 4xx answer to a fetch as a console error: /api/v1/me before sign-in, the forms this test submits invalid on purpose, and the refused removal. */
const EXPECTED_CONSOLE = [
  /status of 401 .*\/api\/v1\/me\)$/,
  /status of 400 .*\/api\/v1\/(mailboxes|sequences(\/[0-9a-f-]+)?)\)$/,
  /status of 409 .*\/api\/v1\/sequences\/[0-9a-f-]+\)$/,
];

let system: SignedInSystem;
let drop: () => Promise<void>;
let salesforce: SalesforceSandbox;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let pageErrors: string[];
let appUrl: string;
let sam: AppBrowser;
let sequenceId: string;
let enrollmentId: string;

const json = async <T>(res: Response): Promise<T> => (await res.json()) as T;

async function samApi<T>(path: string, init: { method?: string; body?: unknown } = {}, expected = 200): Promise<T> {
  const res = await sam.fetch(path, init);
  assert.equal(res.status, expected, `${init.method ?? 'GET'} ${path}: ${await res.clone().text()}`);
  return json<T>(res);
}

/** Each test builds on the one before: after one fails, the rest are skipped, not timed out one by one. */
let failed: string | null = null;
const step = (name: string, fn: () => Promise<void>) =>
  it(name, async (t) => {
    if (failed) {
      t.skip(`an earlier step failed: ${failed}`);
      return;
    }
    try {
      await fn();
    } catch (err) {
      failed = name;
      await screenshot(page, 'editing-failed-step').catch(() => undefined);
      throw err;
    }
  });

const checkScreen = (name: string) => checkScreenAtBothWidths(page, name);

interface EnrollmentView {
  state: string;
  nextStepNumber: number;
  endedAt: string | null;
  steps: { stepNumber: number; status: string }[];
}

/** Hands the due step over and waits until the sender sent it (the next step is then due: its delay is 0). */
async function sendNextStep(stepNumber: number): Promise<void> {
  assert.equal(await system.services.sequencer.app.get(StepDispatcher).tick(), 1);
  await eventually(`step ${stepNumber} sent`, async () => {
    const e = await samApi<EnrollmentView>(`/api/v1/enrollments/${enrollmentId}`);
    return e.steps.find((s) => s.stepNumber === stepNumber)?.status === 'sent' ? e : undefined;
  });
}

/** The notifications the page created, recorded by a wrapper around the browser's own Notification. */
const notificationsShown = () => page.evaluate(() => (globalThis as unknown as { __notifications: { title: string; body: string }[] }).__notifications.map((n) => n.body));

before(async () => {
  const db = await createTestDatabase(requiredEnv('DATABASE_URL'));
  drop = db.drop;
  salesforce = await startSalesforceSandbox();
  system = await startSignedInSystem({
    databaseUrl: db.url,
    kafkaBrokers: requiredEnv('KAFKA_BROKERS'),
    topicPrefix: `webedit-${randomBytes(4).toString('hex')}.`,
    clock,
    salesforce: { loginUrl: salesforce.url, clientId: salesforce.clientId, clientSecret: salesforce.clientSecret, username: 'rep@telltale.sandbox', password: 'telltale-sandbox-password' },
  });
  appUrl = system.identity.app.url;
  const admin = new AppBrowser(appUrl);
  assert.equal((await admin.signIn('admin@telltale.test')).status, 302);
  assert.equal((await admin.fetch('/api/v1/users/invitations', { method: 'POST', body: { email: REP, role: 'rep' } })).status, 201);
  // What this test is not about is set up over HTTP as Sam: the mailbox, a two-step sequence, Flynn enrolled.
  sam = new AppBrowser(appUrl);
  assert.equal((await sam.signIn(REP)).status, 302);
  const host = requiredEnv('MAIL_HOST');
  await samApi(
    '/api/v1/mailboxes',
    {
      method: 'POST',
      body: {
        provider: 'imap',
        emailAddress: REP,
        username: REP,
        password: 'sandbox-password',
        imap: { host, port: Number(requiredEnv('IMAP_PORT')), secure: false },
        smtp: { host, port: Number(requiredEnv('SMTP_PORT')), secure: false },
      },
    },
    201,
  );
  const mailboxes = await samApi<{ id: string }[]>('/api/v1/mailboxes');
  const sequence = await samApi<{ id: string }>(
    '/api/v1/sequences',
    {
      method: 'POST',
      body: {
        name: 'Grid follow-up',
        steps: [
          { delayDays: 0, subject: 'The Grid', html: '<p>Hi Flynn, see <a href="https://www.encom.com/flynn-lives">the plan</a>.</p>' },
          { delayDays: 0, subject: null, html: '<p>Just bumping this up.</p>' },
        ],
      },
    },
    201,
  );
  sequenceId = sequence.id;
  const enrollment = await samApi<{ id: string }>(
    `/api/v1/sequences/${sequenceId}/enrollments`,
    { method: 'POST', body: { mailboxId: mailboxes[0]!.id, from: { address: REP, name: null }, prospect: { email: PROSPECT, name: 'Kevin Flynn' } } },
    201,
  );
  enrollmentId = enrollment.id;

  browser = await launchChromium();
  context = await browser.newContext({ viewport: DESKTOP, reducedMotion: 'reduce', locale: LOCALE, timezoneId: TIME_ZONE });
  context.setDefaultTimeout(15_000);
  await context.grantPermissions(['notifications'], { origin: appUrl });
  // The feed notifies only while its tab is in the background; this page says it is. Every
  // Notification the app creates is recorded (and still created: the browser's own constructor runs).
  await context.addInitScript(() => {
    const scope = globalThis as unknown as {
      Notification: new (title: string, options?: { body?: string }) => unknown;
      __notifications: { title: string; body: string }[];
      document: object;
    };
    const Real = scope.Notification as unknown as { new (title: string, options?: { body?: string }): unknown; permission: string; requestPermission(): Promise<string> };
    scope.__notifications = [];
    const Recording = function (title: string, options?: { body?: string }) {
      scope.__notifications.push({ title, body: options?.body ?? '' });
      return new Real(title, options);
    } as unknown as { permission: string; requestPermission(): Promise<string> };
    Object.defineProperty(Recording, 'permission', { get: () => Real.permission });
    Recording.requestPermission = () => Real.requestPermission();
    scope.Notification = Recording as never;
    Object.defineProperty(scope.document, 'visibilityState', { get: () => 'hidden' });
  });
  page = await context.newPage();
  pageErrors = collectPageErrors(page, EXPECTED_CONSOLE);
  await signInInBrowser(page, appUrl, REP, SANDBOX_PASSWORD);
});

after(async () => {
  await browser?.close();
  await system?.stop();
  await salesforce?.stop();
  await drop?.();
});

describe('editing and wording in the web app', () => {
  step('edits step 2 of a live sequence; after a reload the sequence shows the new wording and delay', async () => {
    await sendNextStep(1);
    await page.goto(`${appUrl}/sequences/${sequenceId}`);
    await page.getByTestId('steps').getByText('Just bumping this up.').waitFor();
    await page.getByRole('button', { name: 'Edit steps' }).click();
    const body = page.getByRole('textbox', { name: 'Step 2 body' });
    await body.click();
    await page.keyboard.press('ControlOrMeta+a');
    await page.keyboard.type('Any news on the Grid, Flynn?');
    const form = page.getByRole('form', { name: 'Edit the steps' });
    await form.getByLabel('Wait (days after the previous step)').fill('2');
    await checkScreen('sequence-edit-steps');
    await page.getByRole('button', { name: 'Save steps' }).click();
    await page.getByText('The steps are saved.').waitFor();
    await page.reload();
    const steps = page.getByTestId('steps');
    await steps.getByText('Any news on the Grid, Flynn?').waitFor();
    await steps.getByText(/^2\. Then after 2 days — reply in the same thread$/).waitFor();
    assert.equal(await steps.getByText('Just bumping this up.').count(), 0);
    // The API says the same: the new step 2 is stored.
    const stored = await samApi<{ steps: { stepNumber: number; delaySeconds: number; html: string | null }[] }>(`/api/v1/sequences/${sequenceId}`);
    assert.equal(stored.steps[1]!.delaySeconds, 2 * 86_400);
    assert.match(stored.steps[1]!.html ?? '', /Any news on the Grid, Flynn\?/);
  });

  step('adds a step, and removing a step already handed over is refused in plain words; the steps can be put back', async () => {
    // Step 2 falls due at once for Flynn (it was scheduled with delay 0 before the edit): both steps are handed over now.
    await sendNextStep(2);
    await page.getByRole('button', { name: 'Edit steps' }).click();
    await page.getByRole('button', { name: 'Remove step 2' }).click();
    await page.getByRole('button', { name: 'Save steps' }).click();
    const refusal = page.getByRole('alert').filter({ hasText: 'These steps cannot be removed' });
    await refusal.waitFor();
    assert.match(await refusal.innerText(), /Steps 1 to 2 have already been sent to someone in this sequence, so they stay\. You can still change their wording and delay/);
    await checkScreen('sequence-edit-refused');
    // Known now: the handed-over steps offer no removal.
    assert.equal(await page.getByRole('button', { name: /^Remove step/ }).count(), 0);
    await refusal.getByRole('button', { name: 'Put the steps back' }).click();
    await page.getByRole('textbox', { name: 'Step 2 body' }).waitFor();
    await page.getByRole('button', { name: 'Add a step' }).click();
    await page.getByRole('textbox', { name: 'Step 3 body' }).click();
    await page.keyboard.type('Last one from me.');
    await page.getByRole('button', { name: 'Save steps' }).click();
    await page.getByText('The steps are saved.').waitFor();
    await page.getByTestId('steps').getByText('Last one from me.').waitFor();
    const stored = await samApi<{ steps: unknown[] }>(`/api/v1/sequences/${sequenceId}`);
    assert.equal(stored.steps.length, 3);
  });

  step('forms show the API’s field errors in people’s words, never the validator’s', async () => {
    // The rename form: a name over the limit.
    await page.getByRole('form', { name: 'Rename the sequence' }).getByLabel('Name').fill('G'.repeat(201));
    await page.getByRole('button', { name: 'Rename' }).click();
    await page.getByRole('form', { name: 'Rename the sequence' }).getByText('Use at most 200 characters').waitFor();

    // A new sequence with nothing filled in.
    await page.goto(`${appUrl}/sequences/new`);
    await page.getByRole('button', { name: 'Create sequence' }).click();
    const create = page.getByRole('form', { name: 'New sequence' });
    await create.getByText('Fill this in').first().waitFor();
    await create.getByText('The first step needs a subject').waitFor();
    await create.getByText('Write the body of this email').waitFor();
    await checkScreen('sequence-new-errors');
    assert.equal(await page.getByText(/Too small|Too big|expected string|Invalid input/).count(), 0);

    // The IMAP form: each field under its own words.
    await page.goto(`${appUrl}/settings/mailboxes`);
    await page.getByRole('button', { name: 'Connect IMAP/SMTP' }).click();
    const imap = page.getByRole('form', { name: 'Connect an IMAP/SMTP mailbox' });
    await imap.getByLabel('Email address').fill('flynn');
    await page.getByRole('button', { name: 'Connect mailbox' }).click();
    const errorOf = async (label: string) => {
      const described = await imap.getByRole('textbox', { name: label }).getAttribute('aria-describedby');
      const id = (described ?? '').split(' ').find((i) => i.endsWith('-error'));
      assert.ok(id, `${label} has an error`);
      return page.locator(`[id="${id}"]`).innerText();
    };
    await imap.locator('.mantine-InputWrapper-error').first().waitFor();
    assert.equal(await errorOf('Email address'), 'Must be an email address');
    assert.equal(await errorOf('IMAP server'), 'Fill this in');
    assert.equal(await errorOf('Password'), 'Fill this in');
    await checkScreen('mailboxes-errors-words');
    assert.equal(await page.getByText(/Too small|Too big|expected string|Invalid input/).count(), 0);
  });

  step('desktop notifications: a human open, click and reply each notify; a machine’s open does not', async () => {
    await page.goto(appUrl);
    await page.getByRole('status').filter({ hasText: 'Live' }).waitFor();
    await page.getByRole('button', { name: 'Desktop notifications' }).click();
    await page.getByRole('button', { name: 'Turn off desktop notifications' }).waitFor();
    // Machine activity shown, so the machine's open reaches this page: it is listed, not notified.
    await page.getByLabel('Show machine activity').check();
    assert.deepEqual(await notificationsShown(), []);

    const sent = await eventually('step 1 in Flynn’s inbox', () => latestMessageWith(PROSPECT, system.services.tracker.url, (m) => m.subject === 'The Grid'));
    const html = String(sent.html);
    const pixelUrl = /<img[^>]+src="([^"]+\/o\/[^"]+)"/.exec(html)?.[1];
    const clickUrl = /href="([^"]+\/c\/[^"]+)"/.exec(html)?.[1];
    assert.ok(pixelUrl && clickUrl);

    // Gmail's image proxy fetches the pixel: machine activity.
    assert.equal((await fetch(pixelUrl, { headers: { 'user-agent': GMAIL_PROXY_UA } })).status, 200);
    await page.locator('[data-kind="opened"]').filter({ hasText: /Machine activity/ }).first().waitFor({ timeout: 30_000 });
    assert.deepEqual(await notificationsShown(), [], 'a machine hit notifies nobody');

    const flynn = await browser.newContext({ userAgent: DESKTOP_CHROME_UA });
    try {
      const mail = await flynn.newPage();
      await mail.route('**/c/**', async (route) => {
        await route.fetch({ maxRedirects: 0 });
        await route.fulfill({ status: 200, contentType: 'text/html', body: '<title>ENCOM</title>' });
      });
      await mail.goto(pixelUrl);
      await eventually('a notification of the open', async () => ((await notificationsShown()).some((b) => /Kevin Flynn opened/.test(b)) ? true : undefined));
      await mail.goto(clickUrl);
      await eventually('a notification of the click', async () => ((await notificationsShown()).some((b) => /Kevin Flynn clicked/.test(b)) ? true : undefined));
    } finally {
      await flynn.close();
    }
    await nodemailer
      .createTransport({ host: requiredEnv('MAIL_HOST'), port: Number(requiredEnv('SMTP_PORT')), secure: false })
      .sendMail({ from: `Kevin Flynn <${PROSPECT}>`, to: REP, subject: 'Re: The Grid', text: 'I am in.', inReplyTo: sent.messageId, references: [sent.messageId!] });
    await eventually('a notification of the reply', async () => ((await notificationsShown()).some((b) => /Kevin Flynn replied/.test(b)) ? true : undefined), { timeoutMs: 60_000 });
    const shown = await notificationsShown();
    assert.equal(shown.length, 3, JSON.stringify(shown));
  });

  step('times are in the viewer’s locale and time zone: the explanation says when the campaign ended', async () => {
    // Flynn had every step before step 3 was added: the enrollment completed, and the explanation says when.
    const e = await samApi<EnrollmentView>(`/api/v1/enrollments/${enrollmentId}`);
    assert.equal(e.state, 'completed');
    const ended = e.endedAt!;
    await page.goto(`${appUrl}/enrollments/${enrollmentId}`);
    const why = page.getByTestId('explanation');
    await why.waitFor();
    const text = await why.innerText();
    const expected = new Intl.DateTimeFormat(LOCALE, { dateStyle: 'medium', timeStyle: 'short', timeZone: TIME_ZONE }).format(new Date(ended));
    assert.ok(text.includes(`completed at ${expected},`), `${text} (expected ${expected})`);
    assert.doesNotMatch(text, /\d{4}-\d{2}-\d{2}T/, 'no ISO timestamp left');
    await checkScreen('enrollment-localized');
    assert.deepEqual(pageErrors, []);
  });

  step('Settings → Mailboxes: the folders to watch, all (recommended) or picked, saved and shown', async () => {
    // Sam's mail client has a folder of its own on the server.
    const imap = new ImapFlow({ host: requiredEnv('MAIL_HOST'), port: Number(requiredEnv('IMAP_PORT')), secure: false, auth: { user: REP, pass: 'any' }, logger: false, disableAutoIdle: true });
    await imap.connect();
    await imap.mailboxCreate(['Clients']).catch(() => undefined);
    await imap.logout();

    await page.goto(`${appUrl}/settings/mailboxes`);
    const followed = page.getByTestId('followed-folders');
    await followed.getByText(/All folders a reply can land in/).waitFor();
    await page.getByRole('button', { name: 'Change' }).click();
    const form = page.getByRole('form', { name: `Folders of ${REP}` });
    await form.getByLabel('All folders (recommended)').waitFor();
    assert.equal(await form.getByLabel('All folders (recommended)').isChecked(), true);
    await form.getByLabel('Only the folders I pick').check();
    await form.getByRole('checkbox', { name: 'Clients' }).check();
    assert.equal(await form.getByRole('checkbox', { name: /^INBOX/ }).isChecked(), true, 'the inbox is always watched');
    await checkScreen('mailbox-folders');
    await form.getByRole('button', { name: 'Save folders' }).click();
    await followed.getByText('Only these 2 folders: INBOX, Clients').waitFor();
    const stored = await samApi<{ folders: unknown }[]>('/api/v1/mailboxes');
    assert.deepEqual(stored[0]!.folders, ['INBOX', 'Clients']);
    await page.reload();
    await followed.getByText('Only these 2 folders: INBOX, Clients').waitFor();

    await page.getByRole('button', { name: 'Change' }).click();
    await form.getByLabel('All folders (recommended)').check();
    await form.getByRole('button', { name: 'Save folders' }).click();
    await followed.getByText(/All folders a reply can land in/).waitFor();
    assert.deepEqual((await samApi<{ folders: unknown }[]>('/api/v1/mailboxes'))[0]!.folders, 'all');
    assert.deepEqual(pageErrors, []);
  });
});
