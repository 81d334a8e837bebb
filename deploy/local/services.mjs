// The app service and the six services as separate Node processes (the shape they run in on
// Kubernetes), the sandbox OpenID provider people sign in with, the sandbox Salesforce server, and
// the sandbox mailbox of rep sam@telltale.test. Secrets for this machine are
// generated once into .data/secrets.json, so encrypted data and tracking links survive restarts.
import { spawn } from 'node:child_process';
import { createHash, generateKeyPairSync, randomBytes } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import testing from '@telltale/testing';
import oidcSandbox from '@telltale/oidc-sandbox';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const dataDir = join(repoRoot, '.data');
const logDir = join(dataDir, 'logs');
// Pid files let the next start stop services a SIGKILLed run left behind (they hold the fixed ports).
const runDir = join(dataDir, 'run');
const log = (line) => process.stdout.write(`[start] ${line}\n`);

/** The organisation the local sandbox data belongs to. */
export const LOCAL_ORG_ID = '7e11a1e0-0000-4000-8000-000000000001';
export const LOCAL_PORTS = { app: 3000, sequencer: 3001, sender: 3002, tracker: 3003, 'mailbox-sync': 3004, 'reply-detector': 3005, 'crm-writer': 3006, content: 3007, oidc: 3009, salesforce: 3010 };
const REP = 'sam@telltale.test';

/** Generated on first start (and any added since), kept in .data/secrets.json (mode 600). */
function localSecrets() {
  const file = join(dataDir, 'secrets.json');
  const existing = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : {};
  const wanted = {
    TRACKING_SIGNING_KEYS: () => `l1:${randomBytes(32).toString('base64')}`,
    CREDENTIALS_ENCRYPTION_KEYS: () => `l1:${randomBytes(32).toString('base64')}`,
    APP_ENCRYPTION_KEYS: () => `l1:${randomBytes(32).toString('base64')}`,
    IDENTITY_SIGNING_KEY: () => JSON.stringify({ ...generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' }), kid: 'local-1' }),
    SENDER_SERVICE_CREDENTIAL: () => `tts_sender_${randomBytes(32).toString('base64url')}`,
    OIDC_CLIENT_SECRET: () => randomBytes(24).toString('base64url'),
    API_KEY: () => `ttk_${randomBytes(16).toString('hex')}_${randomBytes(32).toString('base64url')}`,
  };
  const secrets = { ...existing };
  delete secrets.INTERNAL_API_TOKEN;
  for (const [name, make] of Object.entries(wanted)) secrets[name] ??= make();
  if (JSON.stringify(secrets) !== JSON.stringify(existing)) writeFileSync(file, JSON.stringify(secrets, null, 2), { mode: 0o600 });
  return secrets;
}

async function waitReady(name, url, child) {
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${name} exited with code ${child.exitCode}; see ${join(logDir, `${name}.log`)}`);
    try {
      const res = await fetch(`${url}/health/ready`);
      if (res.ok) return;
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) throw new Error(`${name} not ready after 120 s; see ${join(logDir, `${name}.log`)}`);
    await delay(250);
  }
}

export async function startServices(infra) {
  mkdirSync(logDir, { recursive: true });
  mkdirSync(runDir, { recursive: true });
  const mainOf = (name) => join(repoRoot, 'services', name, 'dist', 'src', 'main.js');
  const pidFileOf = (name) => join(runDir, `${name}.pid`);
  for (const name of Object.keys(LOCAL_PORTS).filter((n) => n !== 'salesforce' && n !== 'oidc')) {
    await testing.stopStaleProcess({ pidFile: pidFileOf(name), marker: mainOf(name), signal: 'SIGTERM', timeoutMs: 15_000, log, name });
  }
  const secrets = localSecrets();
  const salesforce = await testing.startSalesforceSandbox({ port: LOCAL_PORTS.salesforce, dataFile: join(dataDir, 'salesforce.json') });
  if (!salesforce.records('Contact').some((c) => c.Email === 'flynn@flynnsarcade.com')) {
    salesforce.seed('Contact', { FirstName: 'Kevin', LastName: 'Flynn', Email: 'flynn@flynnsarcade.com' });
  }
  log(`salesforce sandbox: ${salesforce.url} (user rep@telltale.sandbox)`);
  const appUrl = `http://127.0.0.1:${LOCAL_PORTS.app}`;
  const oidc = await oidcSandbox.startSandboxIssuer({
    host: '127.0.0.1',
    port: LOCAL_PORTS.oidc,
    users: oidcSandbox.SANDBOX_USERS,
    clients: [{ clientId: 'telltale-local', clientSecret: secrets.OIDC_CLIENT_SECRET, redirectUris: [`${appUrl}/auth/callback`], postLogoutRedirectUris: [`${appUrl}/`] }],
  });
  log(`sign-in sandbox (OpenID provider): ${oidc.issuer} — sam@ (rep), priya@ (manager), admin@telltale.test (admin), password ${oidcSandbox.SANDBOX_PASSWORD}`);

  const url = (name) => `http://127.0.0.1:${LOCAL_PORTS[name]}`;
  const common = {
    DATABASE_URL: infra.databaseUrl,
    KAFKA_BROKERS: infra.kafkaBrokers.join(','),
    HOST: '127.0.0.1',
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'info',
    // Every service verifies the app's identity tokens against its published key set.
    IDENTITY_ISSUER: 'telltale-app',
    IDENTITY_JWKS_URL: `${appUrl}/.well-known/jwks.json`,
    INTERNAL_CALLERS: `sender=${createHash('sha256').update(secrets.SENDER_SERVICE_CREDENTIAL).digest('hex')}`,
    // The sandbox mailbox lives on GreenMail on this machine.
    MAILBOX_HOST_ALLOWLIST: infra.mail.host,
  };
  const specific = {
    app: {
      APP_PUBLIC_URL: appUrl,
      IDENTITY_SIGNING_KEY: secrets.IDENTITY_SIGNING_KEY,
      APP_ENCRYPTION_KEYS: secrets.APP_ENCRYPTION_KEYS,
      OIDC_ALLOW_HTTP_ISSUERS: 'true',
      APP_BOOTSTRAP: JSON.stringify({
        orgId: LOCAL_ORG_ID,
        name: 'Telltale Sandbox',
        signUpDomains: ['telltale.test'],
        admins: ['admin@telltale.test'],
        members: [
          { email: 'sam@telltale.test', role: 'rep' },
          { email: 'priya@telltale.test', role: 'manager' },
        ],
        identityProvider: { issuer: oidc.issuer, clientId: 'telltale-local', clientSecret: secrets.OIDC_CLIENT_SECRET },
        apiKey: { name: 'local sandbox (npm start)', key: secrets.API_KEY, scopes: ['write'] },
      }),
      SEQUENCER_URL: url('sequencer'),
      SENDER_URL: url('sender'),
      TRACKER_URL: url('tracker'),
      MAILBOX_SYNC_URL: url('mailbox-sync'),
      REPLY_DETECTOR_URL: url('reply-detector'),
      CRM_WRITER_URL: url('crm-writer'),
      CONTENT_URL: url('content'),
      // "This is my device" sends the browser to the tracking domain, which sends it back here.
      APP_TRACKING_URL: url('tracker'),
    },
    sequencer: {},
    // GreenMail runs on this machine: mailboxes may use its address only because it is allowed here.
    'mailbox-sync': { CREDENTIALS_ENCRYPTION_KEYS: secrets.CREDENTIALS_ENCRYPTION_KEYS, MAILBOX_FOLDER_POLL_MS: '10000', MAILBOX_HOST_ALLOWLIST: infra.mail.host },
    tracker: { TRACKING_SIGNING_KEYS: secrets.TRACKING_SIGNING_KEYS, TRACKER_APP_ORIGINS: appUrl },
    sender: {
      TRACKING_BASE_URL: url('tracker'),
      TRACKING_SIGNING_KEYS: secrets.TRACKING_SIGNING_KEYS,
      SEQUENCER_URL: url('sequencer'),
      MAILBOX_SYNC_URL: url('mailbox-sync'),
      SERVICE_CREDENTIAL: secrets.SENDER_SERVICE_CREDENTIAL,
    },
    'reply-detector': {},
    // Settings → Salesforce connects the organisation through the local Salesforce org's consent page.
    'crm-writer': { ...testing.crmWriterSandboxEnv(salesforce), CREDENTIALS_ENCRYPTION_KEYS: secrets.CREDENTIALS_ENCRYPTION_KEYS, SALESFORCE_REDIRECT_URI: `${appUrl}/settings/salesforce/callback` },
    // The content library keeps its files on this machine (Helm: a volume or an S3-compatible store).
    content: { CONTENT_STORAGE_DIR: join(dataDir, 'content') },
  };
  const children = [];
  const stopChildren = async () => {
    await Promise.all(
      children.map(
        ({ name, child }) =>
          new Promise((done) => {
            if (child.exitCode !== null || child.signalCode !== null) return done();
            const killer = setTimeout(() => child.kill('SIGKILL'), 15_000);
            child.once('exit', () => {
              clearTimeout(killer);
              rmSync(pidFileOf(name), { force: true });
              done();
            });
            child.kill('SIGTERM');
          }),
      ),
    );
  };
  try {
    for (const name of Object.keys(specific)) {
      const out = createWriteStream(join(logDir, `${name}.log`), { flags: 'a' });
      const child = spawn(process.execPath, [mainOf(name)], {
        cwd: repoRoot,
        env: { ...process.env, ...common, ...specific[name], PORT: String(LOCAL_PORTS[name]) },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      child.stdout.pipe(out);
      child.stderr.pipe(out);
      children.push({ name, child });
      writeFileSync(pidFileOf(name), String(child.pid));
      await waitReady(name, url(name), child);
      log(`${name.padEnd(14)} ${url(name)}  (log: .data/logs/${name}.log)`);
    }
    // The rep's sandbox mailbox on GreenMail, connected for Sam by the sandbox admin key; a second
    // start finds it already connected.
    const api = (path, init = {}) => fetch(`${appUrl}/api${path}`, { ...init, headers: { 'content-type': 'application/json', authorization: `Bearer ${secrets.API_KEY}` } });
    const people = await (await api('/v1/users')).json();
    const sam = people.users?.find((u) => u.email === REP);
    if (!sam) throw new Error(`the sandbox organisation has no ${REP}: ${JSON.stringify(people)}`);
    const res = await api('/v1/mailboxes', {
      method: 'POST',
      body: JSON.stringify({
        ownerUserId: sam.id,
        provider: 'imap',
        emailAddress: REP,
        imap: { host: infra.mail.host, port: infra.mail.imapPort, secure: false },
        smtp: { host: infra.mail.host, port: infra.mail.smtpPort, secure: false },
        username: REP,
        password: 'sandbox',
      }),
    });
    const body = await res.json();
    const mailboxId = res.status === 201 ? body.id : body.mailboxId;
    if (res.status !== 201 && res.status !== 409) throw new Error(`could not connect the sandbox mailbox: ${res.status} ${JSON.stringify(body)}`);
    log(`sandbox mailbox ${REP}: ${mailboxId}`);
    log(`web app: open ${appUrl}/ and sign in as sam@telltale.test (password ${oidcSandbox.SANDBOX_PASSWORD}); API: ${appUrl}/api/v1/…`);
    log(`API key of the sandbox admin (Authorization: Bearer …): ${secrets.API_KEY}`);
  } catch (error) {
    await stopChildren();
    await salesforce.stop();
    await oidc.stop();
    throw error;
  }
  return {
    async stop() {
      await stopChildren();
      await salesforce.stop();
      await oidc.stop();
    },
  };
}
