import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import type { MailboxConnectionChanged } from '@telltale/contracts';
import { ManualClock } from '@telltale/db';
import { localIdentityHeaders, type StartedService } from '@telltale/runtime';
import { eventually, queryRows } from '@telltale/testing';
import { startSequencerUnderTest, type SequencerUnderTest } from './sequencer-harness';

/**
 * Issue 12, against real PostgreSQL and Kafka: an enrolment names a mailbox of its organisation
 * (the sequencer knows them from mailbox.connection-changed.v1) and sends as that mailbox's own
 * address. Before, another organisation's mailbox was accepted (201) and its sends retried every
 * five minutes, and any From went out.
 */

const ORG = randomUUID();
const OTHER_ORG = randomUUID();
const SAM = randomUUID();
const OTHERS = randomUUID();
const GONE = randomUUID();
const prefix = `seq-mailboxes-${randomBytes(4).toString('hex')}.`;
const clock = new ManualClock(new Date('2026-12-01T09:00:00Z'));

let underTest: SequencerUnderTest;
let databaseUrl: string;
let sequencer: StartedService;
let sequenceId: string;

async function api(path: string, body: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(`${sequencer.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...(await localIdentityHeaders(ORG)) }, body: JSON.stringify(body) });
  return { status: res.status, body: await res.json() };
}

const announce = (mailboxId: string, orgId: string, emailAddress: string, state: MailboxConnectionChanged['state'], changedAt: Date) =>
  underTest.announceMailbox({ orgId, mailboxId, emailAddress, state, changedAt });
const known = (orgId: string, mailboxId: string, state: MailboxConnectionChanged['state']) => underTest.mailboxKnown(orgId, mailboxId, state);

const enroll = (mailboxId: string, from: string, prospect = `p-${randomBytes(3).toString('hex')}@buyer.example`) =>
  api(`/v1/sequences/${sequenceId}/enrollments`, { mailboxId, from: { address: from, name: 'Sam' }, prospect: { email: prospect, name: null } });

before(async () => {
  underTest = await startSequencerUnderTest(prefix, clock, 'sequencer-mailboxes-test');
  ({ sequencer, databaseUrl } = underTest);
  const t0 = clock.now();
  await announce(SAM, ORG, 'sam@telltale.test', 'connected', t0);
  await announce(OTHERS, OTHER_ORG, 'ceo@other-company.example', 'connected', t0);
  await announce(GONE, ORG, 'gone@telltale.test', 'connected', t0);
  await announce(GONE, ORG, 'gone@telltale.test', 'disconnected', new Date(t0.getTime() + 60_000));
  await known(ORG, SAM, 'connected');
  await known(OTHER_ORG, OTHERS, 'connected');
  await known(ORG, GONE, 'disconnected');
  const created = await api('/v1/sequences', { name: 'Mailboxes', steps: [{ subject: 'Hello', text: 'One.' }] });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  sequenceId = created.body.id;
});

after(async () => {
  await underTest?.stop();
});

test("another organisation's mailbox, or an unknown one, is a 404 mailbox_not_found naming the field, and nothing is ever sent for it", async () => {
  for (const mailboxId of [OTHERS, randomUUID()]) {
    const answer = await enroll(mailboxId, 'ceo@other-company.example');
    assert.equal(answer.status, 404, JSON.stringify(answer.body));
    assert.equal(answer.body.error, 'mailbox_not_found');
    assert.equal(answer.body.field, 'mailboxId');
  }
  assert.deepEqual(await queryRows(databaseUrl, `SELECT id FROM sequencer.enrollment WHERE mailbox_id = $1`, [OTHERS]), []);
});

test("a From that is not the mailbox's own address is a 422 from_not_mailbox_address; the address in another case is the same address", async () => {
  const spoofed = await enroll(SAM, 'ceo@other-company.example');
  assert.equal(spoofed.status, 422, JSON.stringify(spoofed.body));
  assert.equal(spoofed.body.error, 'from_not_mailbox_address');
  assert.equal(spoofed.body.field, 'from.address');
  assert.match(spoofed.body.message, /sam@telltale\.test/);
  const enrolled = await enroll(SAM, 'Sam@Telltale.TEST', 'dana@buyer.example');
  assert.equal(enrolled.status, 201, JSON.stringify(enrolled.body));
});

test("a disconnected mailbox is a 409 mailbox_disconnected; an older event arriving late does not bring it back", async () => {
  await announce(GONE, ORG, 'gone@telltale.test', 'connected', new Date(clock.now().getTime() - 60_000));
  // Handled: the four events of before() and this one are recorded as processed.
  await eventually('the late event handled', async () => ((await queryRows<{ n: number }>(databaseUrl, `SELECT count(*)::int AS n FROM sequencer.processed_event`))[0]!.n >= 5 ? true : undefined), { timeoutMs: 20_000, intervalMs: 50 });
  const answer = await enroll(GONE, 'gone@telltale.test');
  assert.equal(answer.status, 409, JSON.stringify(answer.body));
  assert.equal(answer.body.error, 'mailbox_disconnected');
});

test('a mailbox connected a moment ago is unknown until its event arrives, then it can be enrolled with (callers try again)', async () => {
  const fresh = randomUUID();
  assert.equal((await enroll(fresh, 'new@telltale.test')).status, 404);
  await announce(fresh, ORG, 'new@telltale.test', 'connected', clock.now());
  const enrolled = await eventually(
    'enrolled once the sequencer knows the mailbox',
    async () => {
      const answer = await enroll(fresh, 'new@telltale.test', 'kim@buyer.example');
      return answer.status === 404 ? undefined : answer;
    },
    { timeoutMs: 20_000, intervalMs: 50 },
  );
  assert.equal(enrolled.status, 201, JSON.stringify(enrolled.body));
});

test("every step handed to the sender is sent as the mailbox's own address", async () => {
  await underTest.dispatcher.tick();
  const requests = await queryRows<{ payload: { mailboxId: string; from: { address: string } } }>(databaseUrl, `SELECT payload FROM sequencer.outbox WHERE topic LIKE '%email.send-requested.v1'`);
  assert.ok(requests.length >= 2, `${requests.length} send requests`);
  const addressOf: Record<string, string> = { [SAM]: 'sam@telltale.test' };
  for (const { payload } of requests) {
    if (addressOf[payload.mailboxId]) assert.equal(payload.from.address, addressOf[payload.mailboxId]);
    else assert.equal(payload.from.address, 'new@telltale.test');
  }
});
