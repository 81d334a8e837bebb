import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BOUNCE_REASONS } from '@telltale/contracts';
import { bounceSeverity, HARD_BOUNCE_REASONS } from '@telltale/replies';

/** Issue 15: hard only when the address itself is gone; every other cause is soft, also with a 5.x.x status. */
const table: [string | null, string, 'hard' | 'soft', string][] = [
  ['5.1.1', '550 5.1.1 user unknown', 'hard', 'user_unknown'],
  ['5.1.10', '550 5.1.10 RESOLVER.ADR.RecipientNotFound', 'hard', 'user_unknown'],
  ['5.1.6', '550 5.1.6 recipient has moved', 'hard', 'has_moved'],
  ['5.4.1', '550 5.4.1 Recipient address rejected: Access denied', 'hard', 'user_unknown'],
  ['5.4.4', 'unable to route', 'hard', 'host_unknown'],
  ['5.1.10', '556 5.1.10 Recipient address has null MX', 'hard', 'not_accept'],
  ['5.0.0', '550 User unknown', 'hard', 'user_unknown'],
  ['5.5.0', '550 mailbox unavailable', 'hard', 'user_unknown'],
  [null, 'Usuario desconocido', 'hard', 'user_unknown'],
  [null, 'Host or domain name not found. Name service error for name=buyer.example type=MX', 'hard', 'host_unknown'],
  [null, '551 User not local; please try <pat@new.example>', 'hard', 'has_moved'],
  ['5.2.1', '550 5.2.1 account disabled', 'soft', 'suspended'],
  [null, 'host mx2.mail.yahoo.com [4.79.181.168]: 554 This account has been disabled', 'soft', 'suspended'],
  ['5.2.2', '552 5.2.2 mailbox full', 'soft', 'mailbox_full'],
  ['5.3.4', '552 5.3.4 message too big', 'soft', 'message_too_big'],
  ['5.7.1', '550 5.7.1 blocked by spam filter', 'soft', 'spam_detected'],
  ['5.7.1', '554 5.7.1 Client host [198.51.100.20] blocked using zen.spamhaus.org', 'soft', 'blocked'],
  ['5.7.1', '554 5.7.1 <pat@buyer.example>: Relay access denied', 'soft', 'relaying_denied'],
  ['5.7.26', '550 5.7.26 This mail is unauthenticated', 'soft', 'auth_failure'],
  ['5.7.9', '554 5.7.9 Message not accepted for policy reasons', 'soft', 'policy_violation'],
  ['5.7.1', '550 5.7.1 unknown user', 'hard', 'user_unknown'],
  ['4.4.7', 'expired', 'soft', 'expired'],
  ['4.2.2', 'over quota', 'soft', 'mailbox_full'],
  ['5.0.0', '550 Access denied: blocked', 'soft', 'blocked'],
  [null, 'Mailbox quota usage exceeded', 'soft', 'mailbox_full'],
  [null, 'retry timeout exceeded', 'soft', 'expired'],
  [null, '452 too many recipients', 'soft', 'rate_limited'],
  [null, '554 5.7.0 Reject, id=1 - INFECTED: Eicar-Signature', 'soft', 'virus_detected'],
  [null, 'mail for buyer.example loops back to myself', 'soft', 'network_error'],
  [null, '554 5.3.0 unknown mailer error 1', 'soft', 'system_error'],
  [null, '554 5.6.0 Message contains malformed MIME', 'soft', 'content_error'],
  // A hard cause the server itself called temporary is not yet a gone address.
  ['4.1.1', '450 4.1.1 <pat@buyer.example>: Recipient address rejected: unknown user', 'soft', 'user_unknown'],
  // A final failure with only temporary codes: the server gave up retrying.
  ['4.4.1', 'connect to mx.buyer.example[192.0.2.1]:25: Connection timed out', 'soft', 'expired'],
  [null, 'permanent error', 'soft', 'other'],
];

for (const [status, diagnostic, severity, reason] of table) {
  test(`bounce cause: ${status ?? 'no status'} "${diagnostic}" is ${severity} (${reason})`, () => {
    const cause = bounceSeverity(status, diagnostic);
    assert.deepEqual({ severity: cause.severity, reason: cause.reason }, { severity, reason }, cause.why);
  });
}

test('hard reasons are exactly the four that say the address is gone, all of them reasons of the event', () => {
  assert.deepEqual([...HARD_BOUNCE_REASONS].sort(), ['has_moved', 'host_unknown', 'not_accept', 'user_unknown']);
  for (const reason of HARD_BOUNCE_REASONS) assert.ok(BOUNCE_REASONS.includes(reason));
});
