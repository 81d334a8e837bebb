import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { ImapFlow } from 'imapflow';
import { Kafka, logLevel } from 'kafkajs';
import { createTransport } from 'nodemailer';
import { Client } from 'pg';

import { createTestDatabase, startInfrastructure, type RunningInfrastructure } from '../src';

/** Resolves with the promise, or rejects naming `what` once `ms` have passed. */
async function within<T>(ms: number, what: string, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

async function withClient<T>(url: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

// Under `npm test` the endpoints come from the environment test.mjs sets up; run alone, this
// starts its own servers the same way.
describe('infrastructure', () => {
  let dataDir: string;
  let infra: RunningInfrastructure;

  before(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'infrastructure-test-'));
    infra = await startInfrastructure({ dataDir, ports: 'ephemeral', log: () => undefined });
  });

  after(async () => {
    await infra?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('PostgreSQL answers a query', async () => {
    const row = await withClient(infra.databaseUrl, async (client) => {
      const result = await client.query<{ answer: number; version: string }>(
        'SELECT 6 * 7 AS answer, current_setting($1) AS version',
        ['server_version_num'],
      );
      return result.rows[0];
    });
    assert.equal(row?.answer, 42);
    assert.ok(Number(row?.version) >= 130000, `server version ${row?.version} supports DROP DATABASE … WITH (FORCE)`);
  });

  it('createTestDatabase gives a fresh database and drop() removes it', async () => {
    const database = await createTestDatabase(infra.databaseUrl);
    const name = new URL(database.url).pathname.slice(1);
    try {
      const stored = await withClient(database.url, async (client) => {
        assert.equal((await client.query<{ db: string }>('SELECT current_database() AS db')).rows[0]?.db, name);
        const tables = await client.query("SELECT 1 FROM information_schema.tables WHERE table_schema = 'public'");
        assert.equal(tables.rowCount, 0, 'a fresh database has no tables');
        await client.query('CREATE TABLE probe (value text)');
        await client.query("INSERT INTO probe VALUES ('kept')");
        return (await client.query<{ value: string }>('SELECT value FROM probe')).rows.map((r) => r.value);
      });
      assert.deepEqual(stored, ['kept']);
    } finally {
      await database.drop();
    }
    const remaining = await withClient(infra.databaseUrl, (client) =>
      client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]),
    );
    assert.equal(remaining.rowCount, 0);
  });

  it('Kafka delivers a produced message to a consumer on a fresh topic', async () => {
    const kafka = new Kafka({ clientId: 'infrastructure-test', brokers: infra.kafkaBrokers, logLevel: logLevel.NOTHING });
    const topic = `infrastructure-test-${randomBytes(4).toString('hex')}`;
    const value = `hello ${randomBytes(4).toString('hex')}`;

    const admin = kafka.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic, numPartitions: 1, replicationFactor: 1 }], waitForLeaders: true });
    await admin.disconnect();

    const producer = kafka.producer({ allowAutoTopicCreation: false });
    await producer.connect();
    await producer.send({ topic, messages: [{ key: 'k1', value, headers: { origin: 'infrastructure-test' } }] });
    await producer.disconnect();

    const consumer = kafka.consumer({ groupId: `infrastructure-test-${randomBytes(4).toString('hex')}` });
    try {
      await consumer.connect();
      await consumer.subscribe({ topic, fromBeginning: true });
      const received = await within(
        60_000,
        'the message to be consumed',
        new Promise<{ key: string; value: string; origin: string }>((resolve) => {
          void consumer.run({
            eachMessage: async ({ message }) => {
              resolve({
                key: message.key?.toString() ?? '',
                value: message.value?.toString() ?? '',
                origin: message.headers?.['origin']?.toString() ?? '',
              });
            },
          });
        }),
      );
      assert.deepEqual(received, { key: 'k1', value, origin: 'infrastructure-test' });
    } finally {
      await consumer.disconnect();
    }
  });

  it('mail sent over SMTP to someone@telltale.test is announced over IMAP IDLE and can be fetched', async () => {
    const recipient = 'someone@telltale.test';
    const subject = `infrastructure test ${randomBytes(4).toString('hex')}`;
    const imap = new ImapFlow({
      host: infra.mail.host,
      port: infra.mail.imapPort,
      secure: false,
      // GreenMail runs with authentication disabled: any password logs in and creates the user.
      auth: { user: recipient, pass: 'any' },
      logger: false,
    });
    await imap.connect();
    try {
      const lock = await imap.getMailboxLock('INBOX');
      try {
        const before = imap.mailbox === false ? 0 : imap.mailbox.exists;
        const announced = new Promise<number>((resolve) => {
          imap.on('exists', (update: { count: number }) => {
            if (update.count > before) resolve(update.count);
          });
        });
        // IDLE now rather than after imapflow's inactivity delay: the server must push the new
        // message's EXISTS without being polled (RFC 2177 §3).
        const idling = imap.idle();

        const smtp = createTransport({ host: infra.mail.host, port: infra.mail.smtpPort, secure: false, ignoreTLS: true });
        await smtp.sendMail({ from: 'rep@telltale.test', to: recipient, subject, text: 'body' });
        smtp.close();

        const count = await within(30_000, 'IMAP IDLE to announce the new message', announced);
        // Any command ends the IDLE first.
        const message = await imap.fetchOne(String(count), { envelope: true });
        await idling;
        assert.ok(message !== false, 'the announced message can be fetched');
        assert.equal(message.envelope?.subject, subject);
        assert.equal(message.envelope?.to?.[0]?.address, recipient);
      } finally {
        lock.release();
      }
    } finally {
      await imap.logout();
    }
  });
});
