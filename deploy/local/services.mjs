// The six services as separate Node processes (the shape they run in on Kubernetes), the sandbox
// Salesforce server, and the sandbox mailbox of rep sam@telltale.test. Secrets for this machine are
// generated once into .data/secrets.json, so encrypted data and tracking links survive restarts.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import testing from '@telltale/testing';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const dataDir = join(repoRoot, '.data');
const logDir = join(dataDir, 'logs');
// Pid files let the next start stop services a SIGKILLed run left behind (they hold the fixed ports).
const runDir = join(dataDir, 'run');
const log = (line) => process.stdout.write(`[start] ${line}\n`);

/** The organisation the local sandbox data belongs to (send it as the x-org-id header). */
export const LOCAL_ORG_ID = '7e11a1e0-0000-4000-8000-000000000001';
export const LOCAL_PORTS = { sequencer: 3001, sender: 3002, tracker: 3003, 'mailbox-sync': 3004, 'reply-detector': 3005, 'crm-writer': 3006, salesforce: 3010 };
const REP = 'sam@telltale.test';

function localSecrets() {
  const file = join(dataDir, 'secrets.json');
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8'));
  const secrets = {
    TRACKING_SIGNING_KEYS: `l1:${randomBytes(32).toString('base64')}`,
    CREDENTIALS_ENCRYPTION_KEYS: `l1:${randomBytes(32).toString('base64')}`,
    INTERNAL_API_TOKEN: randomBytes(24).toString('hex'),
  };
  writeFileSync(file, JSON.stringify(secrets, null, 2), { mode: 0o600 });
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
  for (const name of Object.keys(LOCAL_PORTS).filter((n) => n !== 'salesforce')) {
    await testing.stopStaleProcess({ pidFile: pidFileOf(name), marker: mainOf(name), signal: 'SIGTERM', timeoutMs: 15_000, log, name });
  }
  const secrets = localSecrets();
  const salesforce = await testing.startSalesforceSandbox({ port: LOCAL_PORTS.salesforce, dataFile: join(dataDir, 'salesforce.json') });
  if (!salesforce.records('Contact').some((c) => c.Email === 'flynn@flynnsarcade.com')) {
    salesforce.seed('Contact', { FirstName: 'Kevin', LastName: 'Flynn', Email: 'flynn@flynnsarcade.com' });
  }
  log(`salesforce sandbox: ${salesforce.url} (user rep@telltale.sandbox)`);

  const url = (name) => `http://127.0.0.1:${LOCAL_PORTS[name]}`;
  const common = {
    DATABASE_URL: infra.databaseUrl,
    KAFKA_BROKERS: infra.kafkaBrokers.join(','),
    HOST: '127.0.0.1',
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'info',
    INTERNAL_API_TOKEN: secrets.INTERNAL_API_TOKEN,
  };
  const specific = {
    sequencer: {},
    'mailbox-sync': { CREDENTIALS_ENCRYPTION_KEYS: secrets.CREDENTIALS_ENCRYPTION_KEYS, MAILBOX_FOLDER_POLL_MS: '10000' },
    tracker: { TRACKING_SIGNING_KEYS: secrets.TRACKING_SIGNING_KEYS },
    sender: {
      TRACKING_BASE_URL: url('tracker'),
      TRACKING_SIGNING_KEYS: secrets.TRACKING_SIGNING_KEYS,
      SEQUENCER_URL: url('sequencer'),
      MAILBOX_SYNC_URL: url('mailbox-sync'),
    },
    'reply-detector': {},
    'crm-writer': testing.crmWriterSandboxEnv(salesforce),
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
    // The rep's sandbox mailbox on GreenMail; a second start finds it already connected.
    const res = await fetch(`${url('mailbox-sync')}/v1/mailboxes`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-org-id': LOCAL_ORG_ID },
      body: JSON.stringify({
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
    log(`org id for the API (x-org-id header): ${LOCAL_ORG_ID}`);
  } catch (error) {
    await stopChildren();
    await salesforce.stop();
    throw error;
  }
  return {
    async stop() {
      await stopChildren();
      await salesforce.stop();
    },
  };
}
