import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bounceSeverity } from '@telltale/replies';

const table: [string | null, string, 'hard' | 'soft'][] = [
  ['5.1.1', '550 5.1.1 user unknown', 'hard'],
  ['5.1.10', '550 5.1.10 RESOLVER.ADR.RecipientNotFound', 'hard'],
  ['5.1.6', '550 5.1.6 recipient has moved', 'hard'],
  ['5.2.1', '550 5.2.1 account disabled', 'hard'],
  ['5.4.1', '550 5.4.1 Recipient address rejected: Access denied', 'hard'],
  ['5.4.4', 'unable to route', 'hard'],
  ['5.2.2', '552 5.2.2 mailbox full', 'soft'],
  ['5.3.4', '552 5.3.4 message too big', 'soft'],
  ['5.7.1', '550 5.7.1 blocked by spam filter', 'soft'],
  ['5.7.1', '550 5.7.1 unknown user', 'hard'],
  ['4.4.7', 'expired', 'soft'],
  ['4.2.2', 'over quota', 'soft'],
  ['5.0.0', '550 User unknown', 'hard'],
  ['5.0.0', '550 Access denied: blocked', 'soft'],
  ['5.5.0', '550 mailbox unavailable', 'hard'],
  [null, 'host mx2.mail.yahoo.com [4.79.181.168]: 554 This account has been disabled', 'hard'],
  [null, 'Mailbox quota usage exceeded', 'soft'],
  [null, 'retry timeout exceeded', 'soft'],
  [null, 'Usuario desconocido', 'hard'],
  [null, '452 too many recipients', 'soft'],
  [null, 'permanent error', 'hard'],
];

for (const [status, diagnostic, expected] of table) {
  test(`bounce severity: ${status ?? 'no status'} "${diagnostic}" is ${expected}`, () => {
    assert.equal(bounceSeverity(status, diagnostic).severity, expected);
  });
}
