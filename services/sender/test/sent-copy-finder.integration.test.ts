import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { gmail as gmailApi } from '@googleapis/gmail';
import { composeOutboundMessage, createGraphClient, GmailMailTransport, GraphMailTransport } from '@telltale/mail';
import { startGmailTestServer, startGraphTestServer, type GmailTestServer, type GraphTestServer } from '@telltale/testing';
import type { MailboxTransport } from '../src/clients/mailbox-transport.client';
import { SEND_ID_HEADER, SentCopyLookupFailed, findSentCopy } from '../src/sending/sent-copy-finder';

/**
 * The look in a mailbox's sent mail, against the Gmail and Graph fakes through the real client
 * libraries: a message sent through the provider is found by the Message-ID we composed (the
 * providers here keep it), with the provider's ids; one that was not sent is not found; a provider
 * that does not answer is a SentCopyLookupFailed, never a "not found".
 */

const REP = 'sam@rep.test';
const common = { mailboxId: '7f1c3f0e-1d7a-4a43-9b1c-0d3c1f1e2a11', orgId: '5b0c2f4e-6c1d-4f7a-8e2b-9a0d1c2b3e4f', ownerUserId: null, emailAddress: REP, state: 'connected' as const };

async function compose(id: string, subject: string) {
  return composeOutboundMessage(
    { from: { address: REP, name: 'Sam' }, to: [{ address: 'dana@prospect.test', name: 'Dana' }], cc: [], subject, html: null, text: 'Hi Dana', messageIdDomain: 'rep.test', headers: { [SEND_ID_HEADER]: id } },
    { newId: () => id },
  );
}

describe('findSentCopy: Gmail (users.messages.list q=rfc822msgid:)', () => {
  let gmail: GmailTestServer;
  let mailbox: MailboxTransport;
  before(async () => {
    gmail = await startGmailTestServer({ emailAddress: REP });
    mailbox = { ...common, provider: 'gmail', gmail: { apiRootUrl: gmail.url, accessToken: gmail.issueGrant().accessToken, expiresAt: null } };
  });
  after(() => gmail?.close());

  it('finds what was sent, with Gmail ids; not what was never sent', async () => {
    const id = '0b6f2a7e-3c4d-4e5f-8a9b-0c1d2e3f4a5b';
    const composed = await compose(id, 'Found by its Message-ID');
    const token = mailbox.provider === 'gmail' ? mailbox.gmail!.accessToken : '';
    const sent = await new GmailMailTransport(gmailApi({ version: 'v1', rootUrl: gmail.url }), { accessToken: async () => token }).send({ raw: composed.raw, envelope: composed.envelope });
    const attemptedAt = new Date();
    assert.deepEqual(await findSentCopy(mailbox, { messageId: composed.messageId, sendRequestId: id, attemptedAt }), sent);
    const never = await compose('1c7a3b8f-4d5e-4f60-9b0c-1d2e3f4a5b6c', 'Never sent');
    assert.equal(await findSentCopy(mailbox, { messageId: never.messageId, sendRequestId: '1c7a3b8f-4d5e-4f60-9b0c-1d2e3f4a5b6c', attemptedAt }), null);
  });

  it('a Gmail that answers 500 is no answer, not "not sent"', async () => {
    gmail.failNext(1, 500, /^GET \/gmail\/v1\/users\/me\/messages$/);
    await assert.rejects(findSentCopy(mailbox, { messageId: '<x@rep.test>', sendRequestId: 'x', attemptedAt: new Date() }), SentCopyLookupFailed);
  });
});

describe("findSentCopy: Microsoft Graph (Sent Items, $filter=internetMessageId eq '…')", () => {
  let graph: GraphTestServer;
  let mailbox: MailboxTransport;
  before(async () => {
    graph = await startGraphTestServer({ emailAddress: REP });
    mailbox = { ...common, provider: 'graph', graph: { origin: graph.origin, caPem: graph.ca, accessToken: graph.issueGrant().accessToken, expiresAt: null } };
  });
  after(() => graph?.close());

  it('finds what was sent, with its immutable id; a draft with the same Message-ID is not a sent message', async () => {
    const token = mailbox.provider === 'graph' ? mailbox.graph!.accessToken : '';
    const client = createGraphClient({ tokens: { accessToken: async () => token }, origin: graph.origin, ca: graph.ca });
    const id = '2d8b4c9a-5e6f-4a71-8c1d-2e3f4a5b6c7d';
    const composed = await compose(id, "It's sent");
    const sent = await new GraphMailTransport(client).send({ raw: composed.raw, envelope: composed.envelope });
    assert.deepEqual(await findSentCopy(mailbox, { messageId: composed.messageId, sendRequestId: id, attemptedAt: new Date() }), sent);

    // Created and never sent (the process died between the draft and its send): still in Drafts.
    const draftOnly = await compose('3e9c5d0b-6f7a-4b82-9d2e-3f4a5b6c7d8e', 'Only a draft');
    await client.api('/me/messages').header('Content-Type', 'text/plain').post(draftOnly.raw.toString('base64'));
    assert.equal(graph.folderMessages('Drafts').length, 1);
    assert.equal(await findSentCopy(mailbox, { messageId: draftOnly.messageId, sendRequestId: '3e9c5d0b-6f7a-4b82-9d2e-3f4a5b6c7d8e', attemptedAt: new Date() }), null);
  });

  it('a Graph that answers 500 is no answer, not "not sent"', async () => {
    graph.failNext(1, 500, /^GET \/v1\.0\/me\/mailFolders\/sentitems\/messages$/);
    await assert.rejects(findSentCopy(mailbox, { messageId: '<x@rep.test>', sendRequestId: 'x', attemptedAt: new Date() }), SentCopyLookupFailed);
  });
});
