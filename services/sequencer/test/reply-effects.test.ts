import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { companyDomainOf, loadFreeMailDomains } from '../src/replies/company-domain';
import { outOfOfficePause, type OutOfOfficePause } from '../src/replies/out-of-office-pause';
import { SequencerConfig } from '../src/sequencer.config';

const now = new Date('2026-11-27T10:00:00Z');
const policy = { defaultDays: 7, maxDays: 30 };

const pauses: { name: string; returnDate: string | null; expect: OutOfOfficePause }[] = [
  { name: 'stated return date', returnDate: '2026-12-07', expect: { pause: true, until: new Date('2026-12-07T00:00:00Z'), basis: 'return_date' } },
  { name: 'no return date: the default', returnDate: null, expect: { pause: true, until: new Date('2026-12-04T10:00:00Z'), basis: 'default' } },
  { name: 'far-away return date: capped', returnDate: '2027-11-27', expect: { pause: true, until: new Date('2026-12-27T10:00:00Z'), basis: 'capped' } },
  { name: 'back today: no pause', returnDate: '2026-11-27', expect: { pause: false, why: 'the stated return date 2026-11-27 has passed' } },
  { name: 'return date in the past: no pause', returnDate: '2026-11-01', expect: { pause: false, why: 'the stated return date 2026-11-01 has passed' } },
  { name: 'not a date', returnDate: '2026-13-45', expect: { pause: false, why: 'unreadable return date 2026-13-45' } },
];
for (const c of pauses) {
  test(`out-of-office pause: ${c.name}`, () => assert.deepEqual(outOfOfficePause(c.returnDate, now, policy), c.expect));
}

test('out-of-office pause: a default longer than the cap is capped', () => {
  assert.deepEqual(outOfOfficePause(null, now, { defaultDays: 40, maxDays: 30 }), { pause: true, until: new Date('2026-12-27T10:00:00Z'), basis: 'capped' });
});

const freeMail = loadFreeMailDomains(SequencerConfig.parse({ DATABASE_URL: 'postgres://x/y', KAFKA_BROKERS: 'k:9092' }).SEQUENCER_FREE_MAIL_DOMAINS_FILE);
const domains: [string, string | null][] = [
  ['kevinf@flynnsarcade.com', 'flynnsarcade.com'],
  ['Kevin@FlynnsArcade.COM', 'flynnsarcade.com'],
  ['someone@gmail.com', null],
  ['someone@GoogleMail.com', null],
  ['someone@yahoo.co.uk', null],
  ['someone@mail.yahoo.com', null],
  ['someone@acme.com', 'acme.com'],
  ['no-domain', null],
  ['root@localhost', null],
];
for (const [address, expected] of domains) {
  test(`company domain of ${address}: ${expected ?? 'none'}`, () => assert.equal(companyDomainOf(address, freeMail), expected));
}

test('the bundled free-mail list is reply-detector\'s file', () => {
  assert.ok(freeMail.has('gmail.com') && freeMail.has('outlook.com') && freeMail.size > 20);
  assert.throws(() => loadFreeMailDomains(resolve('/nonexistent/free-mail.txt')), /SEQUENCER_FREE_MAIL_DOMAINS_FILE/);
});
