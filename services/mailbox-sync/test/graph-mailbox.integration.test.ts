import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createGraphClient, GraphMailTransport } from '@telltale/mail';
import { startGraphTestServer, type GraphTestServer } from '@telltale/testing';
import { findFreePort } from '@telltale/testing/dist/src/infrastructure/free-port';
import { assertHostileMessagesDoNotStallTheMailbox, assertUnservableMessageDoesNotStallTheMailbox, startMailboxSyncUnderTest, type MailboxSyncUnderTest } from './support/mailbox-sync-under-test';

const REP = 'rep@contoso.test';
const REDIRECT = 'http://127.0.0.1:9/ms/callback';

function mime(from: string, subject: string, messageId: string, to = REP): string {
  return [`From: ${from}`, `To: ${to}`, `Subject: ${subject}`, `Message-ID: ${messageId}`, 'Date: Fri, 27 Nov 2026 09:00:00 +0000', '', 'hi', ''].join('\r\n');
}

describe('Microsoft 365 mailboxes in mailbox-sync (Graph fake over TLS, Postgres, Kafka)', () => {
  let graph: GraphTestServer;
  let sync: MailboxSyncUnderTest;
  let mailboxId = '';

  before(async () => {
    graph = await startGraphTestServer({ emailAddress: REP });
    const port = await findFreePort();
    sync = await startMailboxSyncUnderTest({
      label: 'graph',
      port,
      config: {
        MS_CLIENT_ID: 'telltale-test-app',
        MS_CLIENT_SECRET: 'test-secret',
        MS_REDIRECT_URI: REDIRECT,
        MS_AUTHORITY: graph.authority,
        GRAPH_ORIGIN: graph.origin,
        GRAPH_CA_PEM: graph.ca,
        // Long poll: only notifications can make the tests below pass in time.
        GRAPH_POLL_MS: '600000',
        GRAPH_NOTIFICATION_URL: `http://127.0.0.1:${port}/v1/push/graph`,
      },
    });
  });

  after(async () => {
    await sync?.stop();
    await graph?.close();
  });

  /** A change notification as Graph posts it. */
  const notify = (subscription: { id: string; clientState: string | undefined }): Promise<Response> =>
    fetch(`${sync.url}/v1/push/graph`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ value: [{ subscriptionId: subscription.id, clientState: subscription.clientState, changeType: 'created' }] }) });
  const transport = (): Promise<{ state: string; graph: { accessToken: string } | null }> => sync.transport(mailboxId);

  it('connects with authorization code + PKCE + offline_access, syncs, and subscribes with the validationToken handshake', async () => {
    graph.deliver(mime('early@fabrikam.test', 'Before connecting', '<early-1@fabrikam.test>'));
    const { view } = await sync.connectOAuth('microsoft', {}, async (authorizationUrl) => {
      assert.match(authorizationUrl, /offline_access/);
      assert.match(authorizationUrl, /code_challenge_method=S256/);
      // The authority is the TLS fake; the browser step is replayed through Node https with the test CA.
      return authorize(authorizationUrl, graph.ca);
    });
    assert.equal(view.provider, 'graph');
    assert.equal(view.state, 'connected');
    assert.equal(view.emailAddress, REP);
    mailboxId = view.id;
    await sync.awaitMessage('<early-1@fabrikam.test>', 'initial sync event');
    assert.equal(graph.subscriptions.length, 1, 'subscription created after the handshake');
    assert.equal(graph.subscriptions[0]!.resource, 'me/messages');
  });

  it('a notification wakes delta sync: a reply a rule filed into Archive arrives once; a wrong clientState is ignored', async () => {
    const delivered = graph.deliver(mime('buyer@fabrikam.test', 'Re: Proposal', '<reply-9@fabrikam.test>'), 'Archive');
    const event = await sync.awaitMessage('<reply-9@fabrikam.test>', 'reply event');
    assert.equal(event.mailboxId, mailboxId);
    assert.equal(event.message.folder, 'Archive');
    assert.equal(event.message.providerThreadId, delivered.conversationId);
    const sub = graph.subscriptions[0]!;
    const forged = await notify({ id: sub.id, clientState: 'forged' });
    assert.equal(forged.status, 202);
    const replay = await notify(sub);
    assert.equal(replay.status, 202);
    graph.deliver(mime('x@fabrikam.test', 'Marker', '<marker-9@fabrikam.test>'));
    await sync.awaitMessage('<marker-9@fabrikam.test>', 'marker event');
    assert.equal(sync.received.filter((e) => e.message.messageId === '<reply-9@fabrikam.test>').length, 1);
  });

  it('a "missed" lifecycle notification makes it sync what Graph never announced', async () => {
    graph.deliver(mime('quiet@fabrikam.test', 'Unannounced', '<quiet-9@fabrikam.test>'), 'Inbox', { notify: false });
    await graph.sendLifecycle('missed');
    await sync.awaitMessage('<quiet-9@fabrikam.test>', 'event after missed');
    assert.equal(graph.subscriptions[0]!.lifecycleNotificationUrl, graph.subscriptions[0]!.notificationUrl);
  });

  it('hands the sender a short-lived token, and the shared Graph adapter sends as draft + send', async () => {
    const body = await sync.transport<{ provider: string; graph: { origin: string; caPem: string | null; accessToken: string } }>(mailboxId);
    assert.equal(body.provider, 'graph');
    assert.doesNotMatch(JSON.stringify(body), /M\.R3_/);
    const token = body.graph.accessToken;
    const transport = new GraphMailTransport(createGraphClient({ tokens: { accessToken: async () => token }, origin: body.graph.origin, ...(body.graph.caPem ? { ca: body.graph.caPem } : {}) }));
    const sent = await transport.send({ raw: Buffer.from(mime(REP, 'Hello', '<send-9@telltale.test>', 'buyer@fabrikam.test')), envelope: { from: REP, to: ['buyer@fabrikam.test'] } });
    assert.equal(sent.messageId, '<send-9@telltale.test>');
    assert.ok(sent.providerThreadId);
  });

  it('revocation: needs_reconnect, connection-changed event, the API says so, no token for sends', async () => {
    graph.revokeAll();
    graph.deliver(mime('late@fabrikam.test', 'After revocation', '<late-9@fabrikam.test>'));
    await sync.awaitNeedsReconnect(mailboxId, 'graph');
  });

  const reconnect = async (): Promise<{ id: string; state: string }> => (await sync.connectOAuth('microsoft', {}, (authorizationUrl) => authorize(authorizationUrl, graph.ca))).view;
  let oldSubscription: { id: string; clientState: string | undefined } = { id: '', clientState: undefined };

  it('reconnecting after needs_reconnect brings the same mailbox back, subscribed', async () => {
    const view = await reconnect();
    assert.equal(view.id, mailboxId);
    assert.equal(view.state, 'connected');
    assert.equal(graph.subscriptions.length, 1);
    graph.deliver(mime('control@fabrikam.test', 'Control', '<control-9@fabrikam.test>'));
    await sync.awaitMessage('<control-9@fabrikam.test>', 'positive control event');
    oldSubscription = { id: graph.subscriptions[0]!.id, clientState: graph.subscriptions[0]!.clientState };
  });

  it('hostile messages (5 000-character subject, 600 References, 200-level nesting, 12 MB, not a message…) never keep a later reply from being seen', async () => {
    await assertHostileMessagesDoNotStallTheMailbox(sync, mailboxId, REP, async (raw) => {
      graph.deliver(raw);
    });
  });

  it('a message Graph will not return (400 at once, 500 five times running) is listed as unreadable; the reply behind it arrives', async () => {
    await assertUnservableMessageDoesNotStallTheMailbox(sync, mailboxId, REP, {
      arm: (status) => graph.failNext(1_000, status, /^GET \/v1\.0\/me\/messages\/[^/]+\/\$value$/),
      disarm: () => graph.failNext(0, 500, /$^/),
      deliver: async (raw) => {
        graph.deliver(raw);
      },
      nudge: async () => undefined,
    });
  });

  it("another org's DELETE is 404 and changes nothing", async () => {
    await sync.assertOtherOrgCannotDelete(mailboxId);
    assert.equal(graph.subscriptions.length, 1);
    assert.equal(await sync.mailboxState(mailboxId), 'connected');
  });

  it('disconnect: state disconnected + event, subscription deleted, credentials wiped, no token for sends, notifications ignored', async () => {
    await sync.disconnect(mailboxId);
    await sync.awaitDisconnectedEvent(mailboxId);
    assert.equal(graph.subscriptions.length, 0, 'the subscription was deleted at Graph');
    await sync.assertCredentialsWiped(mailboxId, ['oauth_scopes', 'push_subscription_id', 'push_client_state']);
    const after = await transport();
    assert.equal(after.state, 'disconnected');
    assert.equal(after.graph, null);
    // A late notification on the old subscription is acknowledged and wakes nothing.
    graph.deliver(mime('late@fabrikam.test', 'While disconnected', '<late-9b@fabrikam.test>'));
    const late = await notify(oldSubscription);
    assert.equal(late.status, 202);
    await sync.assertNotSynced('<late-9b@fabrikam.test>');
  });

  it('disconnecting again answers the same and does nothing more', async () => {
    await sync.disconnect(mailboxId);
    await sync.assertOneDisconnectedEvent(mailboxId);
  });

  it('reconnecting a disconnected mailbox: fresh grant, a new subscription, and what arrived meanwhile is caught up (cursor kept)', async () => {
    const view = await reconnect();
    assert.equal(view.id, mailboxId);
    assert.equal(view.state, 'connected');
    assert.equal(graph.subscriptions.length, 1);
    assert.notEqual(graph.subscriptions[0]!.id, oldSubscription.id);
    await sync.awaitMessage('<late-9b@fabrikam.test>', 'message received while disconnected, on reconnect');
    assert.ok((await transport()).graph?.accessToken);
  });

  it('a Graph failure while deleting the subscription does not fail the disconnect', async () => {
    graph.throttleNext(1, 1, /^DELETE \/v1\.0\/subscriptions\//);
    await sync.disconnect(mailboxId);
    assert.equal(graph.subscriptions.length, 1, 'Graph answered 429; the subscription is left to expire');
    const [row] = await sync.sql<{ secret_ciphertext: string | null; push_subscription_id: string | null }>(`SELECT secret_ciphertext, push_subscription_id FROM mailbox_sync.mailbox WHERE id = $1`, [mailboxId]);
    assert.deepEqual(row, { secret_ciphertext: null, push_subscription_id: null });
  });
});

/** The consent screen, followed with Node https and the test CA (fetch cannot take a CA per call). */
async function authorize(url: string, ca: string): Promise<string> {
  const { request } = await import('node:https');
  return new Promise((resolve, reject) => {
    const req = request(url, { ca }, (res) => {
      res.resume();
      resolve(res.headers.location ?? '');
    });
    req.on('error', reject);
    req.end();
  });
}
