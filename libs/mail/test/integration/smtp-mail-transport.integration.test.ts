import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { composeOutboundMessage, SmtpMailTransport } from '../../src';
import { waitFor } from '../wait-for';
import { GreenMailMailbox, uniqueMailbox } from './greenmail-mailbox';
import { mailServerFromEnv } from './mail-server-env';

const server = mailServerFromEnv();

describe('SmtpMailTransport against GreenMail', () => {
  it('delivers the composed message byte for byte, with our Message-ID, to To, Cc and Bcc', async () => {
    const to = new GreenMailMailbox(server, uniqueMailbox());
    const cc = new GreenMailMailbox(server, uniqueMailbox());
    const bcc = new GreenMailMailbox(server, uniqueMailbox());
    const composed = await composeOutboundMessage({
      from: { address: 'rep@telltale.test', name: 'Rep Example' },
      to: [{ address: to.address, name: 'Prospect' }],
      cc: [{ address: cc.address, name: null }],
      bcc: [{ address: bcc.address, name: null }],
      subject: 'Byte for byte',
      html: '<p>Hello</p>',
      text: 'Hello',
      messageIdDomain: 'mail.telltale.test',
    });
    const transport = new SmtpMailTransport({ host: server.host, port: server.smtpPort, secure: false });
    try {
      const result = await transport.send({ raw: composed.raw, envelope: composed.envelope });
      assert.equal(result.messageId, composed.messageId);
      assert.equal(result.providerMessageId, null);
      assert.equal(result.rejectedRecipients, undefined);
    } finally {
      transport.close();
    }

    for (const mailbox of [to, cc, bcc]) {
      await waitFor(async () => (await mailbox.messageCount()) === 1, `delivery to ${mailbox.address}`);
    }
    const [stored] = await to.fetchAll();
    const source = stored?.source?.toString('latin1') ?? '';
    // The server prepends its trace fields (Return-Path, Received, RFC 5321 §4.4); the rest is ours, unchanged.
    const ours = composed.raw.toString('latin1').replace(/\r\n$/, '');
    assert.ok(source.endsWith(ours), 'the message arrives exactly as composed');
    assert.ok(source.includes(`Message-ID: ${composed.messageId}`));
    assert.ok(!source.includes(bcc.address), 'the Bcc address is not visible to recipients');
  });
});
