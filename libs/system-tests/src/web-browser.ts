import { mkdirSync } from 'node:fs';
import { connect, createServer, type AddressInfo, type Socket } from 'node:net';
import { join, resolve } from 'node:path';
import assert from 'node:assert/strict';
import axe from 'axe-core';
import { chromium, type Browser, type Page } from 'playwright-core';

/** Debian's Chromium (`apt-get install -y chromium`; `npm test` installs it when missing). */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** What a person's desktop Chrome sends: headless Chromium's own user agent says "HeadlessChrome". */
export const DESKTOP_CHROME_UA = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';

export const DESKTOP = { width: 1280, height: 900 };
export const PHONE = { width: 390, height: 844 };

/** Screenshots of the app's screens: artifacts for a person to look at, never committed. */
export const SCREENSHOT_DIR = resolve(__dirname, '..', '..', '..', '..', '.data', 'screenshots');

export async function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}

/** Console errors and uncaught exceptions of a page, to assert none happened. */
export function collectPageErrors(page: Page, ignore: RegExp[] = []): string[] {
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() !== 'error') return;
    const text = `${message.text()} (${message.location().url})`;
    if (!ignore.some((pattern) => pattern.test(text))) errors.push(text);
  });
  page.on('pageerror', (error) => errors.push(`uncaught: ${error.message}`));
  return errors;
}

/** Signs in through the app's page and the sandbox provider's form, as a person would. */
export async function signInInBrowser(page: Page, appUrl: string, email: string, password: string): Promise<void> {
  await page.goto(appUrl);
  await page.getByLabel('Work email').fill(email);
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.locator('#password').waitFor();
  await page.locator('#email').fill(email);
  await page.locator('#password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((url) => url.origin === new URL(appUrl).origin);
  await page.getByRole('heading', { name: 'Telltale', level: 1 }).waitFor();
}

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  targets: string[];
}

/** axe-core in the page: the serious and critical violations (WCAG 2 A/AA rules and best practices). */
export async function seriousAccessibilityViolations(page: Page): Promise<AxeViolation[]> {
  // Evaluated through the DevTools protocol: the app's CSP (no inline scripts) stays on.
  await page.evaluate(axe.source);
  // Runs in the page (no DOM types here): globalThis is the window, axe is what axe.source defined.
  const violations = await page.evaluate(async () => {
    const scope = globalThis as unknown as { axe: typeof axe; document: unknown };
    const result = await scope.axe.run(scope.document as never, { resultTypes: ['violations'] });
    return result.violations.map((v) => ({ id: v.id, impact: v.impact ?? null, help: v.help, targets: v.nodes.slice(0, 5).map((n) => `${n.target.join(' ')}: ${n.failureSummary ?? ''}`) }));
  });
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const path = join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/**
 * A screen at both widths (1280 and 390 px): a screenshot of each, and no serious or critical axe
 * violation. On a phone the navigation slides out of view first (when the app shell is there).
 */
export async function checkScreen(page: Page, name: string): Promise<void> {
  for (const [size, viewport] of [
    ['1280', DESKTOP],
    ['390', PHONE],
  ] as const) {
    await page.setViewportSize(viewport);
    await page.waitForLoadState('networkidle').catch(() => undefined);
    if (viewport === PHONE) await page.waitForFunction(() => ((globalThis as unknown as { document: { querySelector(s: string): { getBoundingClientRect(): { right: number } } | null } }).document.querySelector('nav[aria-label="Main"]')?.getBoundingClientRect().right ?? 0) <= 0);
    await screenshot(page, `${name}-${size}`);
    const violations = await seriousAccessibilityViolations(page);
    assert.deepEqual(violations, [], `${name} at ${size} px: ${JSON.stringify(violations, null, 1)}`);
  }
  await page.setViewportSize(DESKTOP);
}

/**
 * A TCP forwarder in front of a local server whose connections the test can cut: `cut()` drops every
 * open connection (an SSE stream included) and refuses new ones until `restore()`, as a network
 * outage does to a browser. Cookies are per host, not port, so a signed-in browser stays signed in.
 */
export async function startCuttableProxy(targetPort: number): Promise<{ url: string; cut(): void; restore(): void; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  let down = false;
  const server = createServer((client) => {
    if (down) {
      client.destroy();
      return;
    }
    const upstream = connect(targetPort, '127.0.0.1');
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => undefined);
    }
    client.pipe(upstream).pipe(client);
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((ready) => server.listen(0, '127.0.0.1', ready));
  const { port } = server.address() as AddressInfo;
  const dropAll = () => {
    for (const s of sockets) s.destroy();
  };
  return {
    url: `http://127.0.0.1:${port}`,
    cut: () => {
      down = true;
      dropAll();
    },
    restore: () => {
      down = false;
    },
    close: async () => {
      dropAll();
      await new Promise<void>((done) => server.close(() => done()));
    },
  };
}
