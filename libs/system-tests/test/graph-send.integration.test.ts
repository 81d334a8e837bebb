import assert from 'node:assert/strict';
import { request } from 'node:https';
import { after, before, describe, it } from 'node:test';
import { startGraphTestServer, type GraphTestServer } from '@telltale/testing';
import { assertTrackedMessage, startSendHarness, type SendHarness } from './support/oauth-send-harness';

const REP = 'sam@rep-contoso.test';

describe('sending through a Microsoft 365 mailbox: sender + mailbox-sync, Graph fake over TLS, Postgres, Kafka', () => {
  let graph: GraphTestServer;
  let h: SendHarness;
  let mailboxId = '';

  before(async () => {
    // Exchange gives the message a Message-ID of its own: only the message resource tells which.
    graph = await startGraphTestServer({ emailAddress: REP, assignInternetMessageIds: true });
    h = await startSendHarness('graph-send', {
      MS_CLIENT_ID: 'telltale-test-app',
      MS_CLIENT_SECRET: 'test-secret',
      MS_REDIRECT_URI: 'http://127.0.0.1:9/ms/callback',
      MS_AUTHORITY: graph.authority,
      GRAPH_ORIGIN: graph.origin,
      GRAPH_CA_PEM: graph.ca,
      GRAPH_POLL_MS: '600000',
    });
    // The consent screen is on the TLS fake: followed with Node https and the test CA.
    mailboxId = await h.connect(
      'microsoft',
      (url) =>
        new Promise((resolve, reject) => {
          const req = request(url, { ca: graph.ca }, (res) => {
            res.resume();
            resolve(res.headers.location ?? '');
          });
          req.on('error', reject);
          req.end();
        }),
    );
  });

  after(async () => {
    await h?.stop();
    await graph?.close();
  });

  const withSubject = (folder: string, subject: string) => graph.folderMessages(folder).filter((m) => new RegExp(`^Subject: ${subject}\\r?$`, 'm').test(m.raw));

  it("sends as draft + send: the tracked email is in Sent Items, and the event and row carry the sent item's internetMessageId and conversationId", async () => {
    const subject = 'Pricing for the team';
    const sendRequestId = await h.requestSend(mailboxId, REP, subject);
    const sent = await h.waitForEvent('email.sent.v1', (p) => p.sendRequestId === sendRequestId);
    const [item, ...more] = withSubject('Sent Items', subject);
    assert.ok(item, 'the message is in Sent Items');
    assert.equal(more.length, 0);
    assert.equal(withSubject('Drafts', subject).length, 0, 'no draft is left behind');
    assert.match(item.internetMessageId, /\.prod\.outlook\.com>$/, 'Exchange replaced the Message-ID we composed');
    assert.equal(sent.messageId, item.internetMessageId);
    assert.equal(sent.providerThreadId, item.conversationId);
    assert.equal(sent.providerMessageId, item.immutableId, "the sent item's id (immutable: the draft's regular id is gone once it moves to Sent Items)");
    await assertTrackedMessage(item.raw, { sentEmailId: String(sent.sentEmailId), messageId: item.internetMessageId, subject });
    const row = await h.sentEmail(sendRequestId);
    assert.deepEqual(
      { status: row.status, id: row.id, messageId: row.message_id, providerMessageId: row.provider_message_id, threadId: row.provider_thread_id },
      { status: 'sent', id: sent.sentEmailId, messageId: item.internetMessageId, providerMessageId: item.immutableId, threadId: item.conversationId },
    );
  });

  it('a 429 with Retry-After on /send holds the send that long, then it goes out once, leaving no stray draft', async () => {
    graph.throttleNext(1, 1, /^POST \/v1\.0\/me\/messages\/[^/]+\/send$/);
    const subject = 'After the rate limit';
    const sent = await h.sendThroughRateLimit(mailboxId, REP, subject);
    const items = withSubject('Sent Items', subject);
    assert.equal(items.length, 1, 'exactly one message went out');
    assert.equal(sent.messageId, items[0]!.internetMessageId);
    assert.equal(withSubject('Drafts', subject).length, 0, 'the draft of the refused attempt was removed');
  });

  it('a revoked grant moves the mailbox to needs_reconnect and fails the send visibly (MAILBOX_NOT_CONNECTED), sending nothing', async () => {
    graph.revokeAll();
    const subject = 'After the user removed the app';
    await h.sendWithRevokedGrant(mailboxId, REP, subject);
    assert.equal(withSubject('Sent Items', subject).length + withSubject('Drafts', subject).length, 0);
  });
});
