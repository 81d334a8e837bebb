import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import { ManualClock } from '@telltale/db';
import { sharedLocalIdentity, type LocalCallerOptions } from '@telltale/runtime';
import { StepDispatcher } from '@telltale/sequencer';
import { createTestDatabase, eventually, startSalesforceSandbox, type SalesforceSandbox } from '@telltale/testing';
import { requiredEnv, sandboxMailbox, startTelltaleSystem, type TelltaleSystem } from '../src';

/**
 * `GET /v1/emails` (issue 13) on the real services and GreenMail: the sender stores whose mailbox
 * sent each email (mailbox-sync's answer at send time), so a rep lists only the emails of the
 * mailboxes they connected, managers and admins the organisation's; filters by enrollment, mailbox
 * and status; cursor pages.
 */

const ORG = randomUUID();
const SAM = randomUUID();
const PRIYA = randomUUID();
const sam: LocalCallerOptions = { roles: ['rep'], userId: SAM };
const priya: LocalCallerOptions = { roles: ['rep'], userId: PRIYA };
const manager: LocalCallerOptions = { roles: ['manager'] };

const clock = new ManualClock(new Date());
let system: TelltaleSystem;
let salesforce: SalesforceSandbox;
let drop: () => Promise<void>;

async function call(base: string, method: string, path: string, as: LocalCallerOptions, body?: unknown, org = ORG): Promise<{ status: number; body: any }> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...(await (await sharedLocalIdentity()).headers(org, as)) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

const emails = (query: string, as: LocalCallerOptions, org = ORG) => call(system.sender.url, 'GET', `/v1/emails${query}`, as, undefined, org);

async function connect(as: LocalCallerOptions): Promise<{ id: string; address: string }> {
  const address = `list-${randomBytes(3).toString('hex')}@telltale.test`;
  const res = await call(system.mailboxSync.url, 'POST', '/v1/mailboxes', as, sandboxMailbox(address));
  assert.equal(res.status, 201, JSON.stringify(res.body));
  return { id: res.body.id as string, address };
}

async function sendOneOff(mailbox: { id: string; address: string }, as: LocalCallerOptions, subject: string): Promise<string> {
  const res = await call(system.sender.url, 'POST', '/v1/emails', as, {
    mailboxId: mailbox.id,
    from: { address: mailbox.address, name: null },
    to: [{ address: 'flynn@encom.example', name: 'Kevin Flynn' }],
    cc: [{ address: 'alan@encom.example', name: 'Alan Bradley' }],
    subject,
    text: 'Hello.',
  });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  assert.equal(res.body.outcome, 'sent');
  clock.advance(1000);
  return res.body.sentEmailId as string;
}

before(async () => {
  const db = await createTestDatabase(requiredEnv('DATABASE_URL'));
  drop = db.drop;
  salesforce = await startSalesforceSandbox();
  system = await startTelltaleSystem({
    databaseUrl: db.url,
    kafkaBrokers: requiredEnv('KAFKA_BROKERS'),
    topicPrefix: `emails-list-${randomBytes(4).toString('hex')}.`,
    clock,
    salesforce: { loginUrl: salesforce.url, clientId: salesforce.clientId, clientSecret: salesforce.clientSecret, username: 'rep@telltale.sandbox', password: 'telltale-sandbox-password' },
  });
});

after(async () => {
  await system?.stop();
  await salesforce?.stop();
  await drop?.();
});

test('GET /v1/emails: a rep lists the emails of their own mailboxes, newest first by cursor; filters by mailbox, enrollment and status', async () => {
  const samsMailbox = await connect(sam);
  const priyasMailbox = await connect(priya);
  const samsEmails: string[] = [];
  for (const subject of ['First', 'Second', 'Third']) samsEmails.push(await sendOneOff(samsMailbox, sam, subject));
  const priyasEmail = await sendOneOff(priyasMailbox, priya, 'Priya');

  // A sequence step sent from Sam's mailbox, to filter by enrollment.
  const sequence = await call(system.sequencer.url, 'POST', '/v1/sequences', sam, { name: 'Listed', steps: [{ subject: 'Step one', text: 'Hi.' }] });
  // The sequencer learns of the mailbox from mailbox-sync's event: until then it is not found.
  const enrollment = await eventually(
    'the sequencer to know the mailbox',
    async () => {
      const answer = await call(system.sequencer.url, 'POST', `/v1/sequences/${sequence.body.id}/enrollments`, sam, {
        mailboxId: samsMailbox.id,
        from: { address: samsMailbox.address, name: null },
        prospect: { email: 'lora@encom.example', name: 'Lora' },
      });
      return answer.status === 404 && answer.body?.error === 'mailbox_not_found' ? undefined : answer;
    },
    { timeoutMs: 30_000 },
  );
  assert.equal(enrollment.status, 201, JSON.stringify(enrollment.body));
  assert.equal(await system.sequencer.app.get(StepDispatcher).tick(), 1);
  const stepEmail = await eventually(
    'the step to be sent',
    async () => {
      const page = await emails(`?enrollmentId=${enrollment.body.id}`, sam);
      return page.body.items?.[0]?.status === 'sent' ? page.body.items[0] : undefined;
    },
    { timeoutMs: 30_000 },
  );
  assert.equal(stepEmail.stepNumber, 1);
  assert.equal(stepEmail.subject, 'Step one');
  assert.equal(stepEmail.sequenceId, sequence.body.id);

  // Sam: four emails over two pages of two, newest first, each his mailbox's.
  const first = await emails('?limit=2', sam);
  assert.equal(first.status, 200, JSON.stringify(first.body));
  assert.equal(first.body.items.length, 2);
  assert.ok(first.body.nextCursor);
  const second = await emails(`?limit=2&cursor=${first.body.nextCursor}`, sam);
  assert.equal(second.body.nextCursor, null);
  const listed = [...first.body.items, ...second.body.items];
  assert.deepEqual(listed.map((e) => e.id), [stepEmail.id, ...[...samsEmails].reverse()]);
  assert.ok(listed.every((e) => e.ownerUserId === SAM && e.mailboxId === samsMailbox.id && e.status === 'sent' && e.sentAt));
  const third = listed.find((e) => e.id === samsEmails[2]);
  assert.equal(third.subject, 'Third');
  assert.equal(third.from, samsMailbox.address);
  assert.deepEqual(third.recipients, { to: [{ address: 'flynn@encom.example', name: 'Kevin Flynn' }], cc: [{ address: 'alan@encom.example', name: 'Alan Bradley' }] });

  // Priya sees hers only, even when she names Sam's mailbox; a manager sees everyone's.
  assert.deepEqual((await emails('', priya)).body.items.map((e: { id: string }) => e.id), [priyasEmail]);
  assert.deepEqual((await emails(`?mailboxId=${samsMailbox.id}`, priya)).body.items, []);
  const all = (await emails('?limit=100', manager)).body.items.map((e: { id: string }) => e.id);
  assert.deepEqual(new Set(all), new Set([stepEmail.id, ...samsEmails, priyasEmail]));
  assert.deepEqual((await emails(`?mailboxId=${priyasMailbox.id}`, manager)).body.items.map((e: { id: string }) => e.id), [priyasEmail]);
  assert.deepEqual((await emails('?status=failed', manager)).body.items, []);
  assert.deepEqual((await emails('', manager, randomUUID())).body, { items: [], nextCursor: null }, 'another organisation');

  // Reading one email checks the stored owner: Priya's is not found for Sam.
  const own = await call(system.sender.url, 'GET', `/v1/emails/${samsEmails[0]}`, sam);
  assert.equal(own.status, 200);
  assert.equal(own.body.owner_user_id, SAM);
  assert.equal((await call(system.sender.url, 'GET', `/v1/emails/${priyasEmail}`, sam)).status, 404);

  for (const bad of ['?limit=0', '?limit=101', '?status=lost', '?mailboxId=x', '?enrollmentId=1', '?cursor=abc', '?colour=red']) {
    const refused = await emails(bad, sam);
    assert.equal(refused.status, 400, bad);
    assert.equal(refused.body.error, 'invalid_request');
  }
});
