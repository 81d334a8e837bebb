import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BOUNCE_REASONS } from '@telltale/contracts';
import { assessBounce, bounceSeverity, HARD_BOUNCE_REASONS } from '@telltale/replies';
import { inboundMessage } from './support/inbound-message';

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

/**
 * Replies as Gmail and Exchange Online document them (support.google.com/a/answer/3726730, "Email
 * non-delivery reports and SMTP errors in Exchange Online"), in our words where they are long.
 */
const documented: [string, string, string][] = [
  ['4.2.1', '450 4.2.1 The user you are trying to contact is receiving mail too quickly. Please resend your message at a later time.', 'rate_limited'],
  ['4.2.1', '450 4.2.1 Peak SMTP relay limit exceeded for this customer.', 'rate_limited'],
  ['4.3.0', '421 4.3.0 Temporary System Problem. Try again later.', 'system_error'],
  ['4.4.2', '451 4.4.2 Timeout - closing connection.', 'expired'],
  ['4.5.3', '452 4.5.3 Your message has too many recipients.', 'rate_limited'],
  ['5.2.1', '550 5.2.1 The user you are trying to contact is receiving mail at a rate that prevents additional messages from being delivered.', 'rate_limited'],
  ['5.4.5', '550 5.4.5 Daily SMTP relay limit exceeded for user.', 'rate_limited'],
  ['5.7.0', '550 5.7.0 Mail relay denied.', 'relaying_denied'],
  ['5.7.1', '553 5.7.1 Sender is unauthorized to relay.', 'relaying_denied'],
  ['5.7.1', '550 5.7.1 Unauthenticated email is not accepted from this domain.', 'auth_failure'],
  ['5.7.1', "550 5.7.1 The IP you're using to send mail is not authorized to send email directly to our servers.", 'blocked'],
  ['5.7.1', '550 5.7.1 Messages missing a valid Message-ID header are not accepted.', 'content_error'],
  ['5.7.25', '550 5.7.25 The IP address sending this message does not have a PTR record setup.', 'blocked'],
  ['5.7.26', '550 5.7.26 This message fails to pass SPF checks for an SPF record with a hard fail policy.', 'auth_failure'],
  ['5.6.0', '554 5.6.0 Mail message is malformed. Not accepted.', 'content_error'],
  ['5.6.0', '554 5.6.0 Message exceeded 50 hops, this may indicate a mail loop.', 'network_error'],
  ['4.7.0', '421 4.7.0 This message is suspicious due to the very low reputation of the sending IP address.', 'blocked'],
  ['5.1.0', '550 5.1.0 Sender denied', 'policy_violation'],
  ['5.1.90', "550 5.1.90 Your message can't be sent because you've reached your daily limit for message recipients.", 'rate_limited'],
  ['5.2.2', '550 5.2.2 Submission quota exceeded', 'rate_limited'],
  ['5.4.14', '554 5.4.14 Hop count exceeded - possible mail loop', 'network_error'],
  ['5.4.300', '550 5.4.300 Message expired', 'expired'],
  ['5.4.312', '550 5.4.312 DNS query failed', 'network_error'],
  ['5.6.11', '554 5.6.11 Invalid characters in the message', 'content_error'],
  ['5.7.1', '550 5.7.1 Delivery not authorized', 'policy_violation'],
  ['5.7.57', '530 5.7.57 Client was not authenticated to send anonymous mail during MAIL FROM', 'auth_failure'],
  ['5.7.124', '550 5.7.124 Sender not in allowed-senders list', 'policy_violation'],
  ['5.7.512', '550 5.7.512 Access denied, message must be RFC 5322 section 3.6.2 compliant', 'content_error'],
  ['5.7.708', '550 5.7.708 Access denied, traffic not accepted from this IP', 'blocked'],
  ['5.7.750', '550 5.7.750 Service unavailable. Client blocked from sending from unregistered domains', 'blocked'],
];
for (const [status, diagnostic, reason] of documented) table.push([status, diagnostic, 'soft', reason]);
table.push(
  ['5.4.310', '550 5.4.310 DNS domain buyer.example does not exist', 'hard', 'host_unknown'],
  ['5.1.3', '501 5.1.3 Bad recipient address syntax.', 'hard', 'user_unknown'],
  ['5.1.2', "553 5.1.2 We weren't able to find the recipient domain. Please check for any spelling errors.", 'hard', 'host_unknown'],
);

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

test('words in quoted subjects, addresses and host names are not read as the cause', () => {
  const cause = (text: string): string => bounceSeverity(null, text).reason;
  assert.equal(cause('Subject: Our new spam policy\n550 5.1.1 user unknown'), 'user_unknown');
  assert.equal(cause('<spam@buyer.example>: 550 5.1.1 user unknown'), 'user_unknown');
  assert.equal(cause('host spam-gw.virus-labs.example [192.0.2.1] said: 550 5.1.1 user unknown'), 'user_unknown');
  assert.equal(cause('550 5.1.1 User unknown; see https://postmaster.buyer.example/Anti-Spam-Policy#Blocked'), 'user_unknown');
  // A block-list zone is what a host block names, and Microsoft's status texts keep their words.
  assert.equal(cause('554 5.7.1 Client host [198.51.100.20] blocked using bl.spamcop.net'), 'blocked');
  assert.equal(cause('550 4.4.7 QUEUE.Expired; message expired'), 'expired');
});

test('recognition: a mail system, its subject or a null sender with failure wording is a bounce; a person writing "rejected" is not', () => {
  const daemon = { address: 'MAILER-DAEMON', name: null };
  assert.equal(assessBounce(inboundMessage({ from: daemon, subject: 'Returned mail', textBody: '550 5.1.1 user unknown' })).outcome, 'bounce');
  const nullSender = { ...inboundMessage({}).autoReplyMarkers, returnPath: '<>' };
  assert.equal(assessBounce(inboundMessage({ from: { address: 'admin@buyer.example', name: null }, subject: 'Notice', autoReplyMarkers: nullSender, textBody: 'Your message could not be delivered.' })).outcome, 'bounce');
  assert.equal(assessBounce(inboundMessage({ subject: 'Re: hi', textBody: 'Your proposal was rejected by our board, sorry.' })).outcome, 'none');
});

test('a delay notice is not a failure; the final report after the delay is a soft bounce, expired', () => {
  const gmail = { address: 'mailer-daemon@googlemail.com', name: 'Mail Delivery Subsystem' };
  const delayed = assessBounce(
    inboundMessage({ from: gmail, subject: 'Delivery Status Notification (Delay)', textBody: 'Delivery incomplete. There was a temporary problem delivering your message. Gmail will retry for 45 more hours.' }),
  );
  assert.equal(delayed.outcome, 'not_failed');
  const failed = assessBounce(
    inboundMessage({
      from: gmail,
      subject: 'Delivery Status Notification (Failure)',
      textBody: 'Message not delivered. Gmail tried to deliver your message for 2 days; the delivery was delayed and has now expired.\nThe recipient server did not accept our requests to connect.',
    }),
  );
  assert.ok(failed.outcome === 'bounce');
  assert.deepEqual([failed.bounce.severity, failed.bounce.reason], ['soft', 'expired']);
});
