import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MailboxConnectionState } from '@telltale/contracts';
import { MailboxTransport } from '../src/clients/mailbox-transport.client';

test("the sender reads every mailbox state mailbox-sync reports: a degraded mailbox (its IMAP server unreachable) still hands out SMTP credentials", () => {
  for (const state of MailboxConnectionState.options) {
    const parsed = MailboxTransport.parse({
      provider: 'imap',
      mailboxId: '00000000-0000-4000-8000-000000000001',
      orgId: '00000000-0000-4000-8000-000000000002',
      ownerUserId: null,
      emailAddress: 'rep@telltale.test',
      state,
      smtp: { host: '203.0.113.7', servername: 'smtp.telltale.test', port: 465, secure: true, auth: { user: 'rep@telltale.test', pass: 'x' } },
    });
    assert.equal(parsed.state, state);
  }
  assert.ok(MailboxConnectionState.options.includes('degraded'));
});
