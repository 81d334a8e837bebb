import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';

import { startGraphTestServer, type GraphTestServer } from '@telltale/testing';
import { createGraphClient, decideProviderErrorAction, GraphChangeSource, GraphMailTransport, MailProviderError, type InboundMessage, type MailboxChangeSource } from '../../src';
import { waitFor } from '../wait-for';

const REP = 'rep@contoso.test';

function rfc822(from: string, subject: string, messageId: string, inReplyTo?: string): string {
  return [`From: ${from}`, `To: ${REP}`, `Subject: ${subject}`, `Message-ID: ${messageId}`, 'Date: Fri, 27 Nov 2026 09:00:00 +0000', ...(inReplyTo ? [`In-Reply-To: ${inReplyTo}`, `References: ${inReplyTo}`] : []), 'Content-Type: text/plain; charset=utf-8', '', 'hello', ''].join('\r\n');
}

async function drain(source: MailboxChangeSource, cursor: string | null, seen: InboundMessage[]): Promise<string> {
  let current = cursor;
  for (let i = 0; i < 500; i += 1) {
    const page = await source.changesSince(current);
    seen.push(...page.messages);
    current = page.cursor;
    if (!page.hasMore) return current;
  }
  throw new Error('too many pages');
}

describe('Microsoft Graph adapter (@microsoft/microsoft-graph-client unmodified) against the HTTPS fake', () => {
  let graph: GraphTestServer;
  let token: string;

  before(async () => {
    graph = await startGraphTestServer({ emailAddress: REP, pageSize: 3 });
    token = graph.issueGrant().accessToken;
  });
  after(async () => {
    await graph.close();
  });

  const client = (accessToken = token) => createGraphClient({ tokens: { accessToken: async () => accessToken }, origin: graph.origin, ca: graph.ca });

  it('initial delta in pages per folder, a reply a rule filed into another folder, a restart mid-sync, then nothing repeated', async () => {
    const transport = new GraphMailTransport(client());
    const sent = await transport.send({ raw: Buffer.from(rfc822(REP, 'Proposal', '<ours-1@telltale.test>').replace(`To: ${REP}`, 'To: buyer@fabrikam.test')), envelope: { from: REP, to: ['buyer@fabrikam.test'] } });
    assert.equal(sent.messageId, '<ours-1@telltale.test>');
    assert.ok(sent.providerThreadId, 'draft + send tells the conversationId');
    assert.equal(graph.sent.length, 1);

    for (let i = 0; i < 7; i += 1) graph.deliver(rfc822(`p${i}@fabrikam.test`, `Old ${i}`, `<old-${i}@fabrikam.test>`));
    // An Outlook rule files some mail into a subfolder of the Inbox.
    graph.createFolder('Customers', 'Inbox');
    graph.deliver(rfc822('nested@fabrikam.test', 'Nested', '<nested-1@fabrikam.test>'), 'Customers');
    const source = new GraphChangeSource({ client: client(), origin: graph.origin, pageSize: 3 });
    const seen: InboundMessage[] = [];
    const first = await source.changesSince(null);
    assert.equal(first.hasMore, true);
    seen.push(...first.messages);
    const cursor = await drain(new GraphChangeSource({ client: client(), origin: graph.origin, pageSize: 3 }), first.cursor, seen);
    assert.equal(new Set(seen.map((m) => m.messageId).filter((id) => id?.startsWith('<old-'))).size, 7);
    assert.ok(!seen.some((m) => m.messageId === '<ours-1@telltale.test>'), 'Sent Items are not inbound');
    assert.equal(seen.find((m) => m.messageId === '<nested-1@fabrikam.test>')?.folder, 'Inbox/Customers', 'child folders are synced too');

    const later: InboundMessage[] = [];
    const reply = graph.deliver(rfc822('buyer@fabrikam.test', 'Re: Proposal', '<reply-1@fabrikam.test>', sent.messageId), 'Archive');
    const cursor2 = await drain(source, cursor, later);
    assert.deepEqual(later.map((m) => m.messageId), ['<reply-1@fabrikam.test>']);
    assert.equal(later[0]!.folder, 'Archive');
    assert.equal(later[0]!.providerThreadId, reply.conversationId);
    assert.equal(reply.conversationId, sent.providerThreadId, 'Exchange joins the reply to our conversation');
    const none: InboundMessage[] = [];
    await drain(source, cursor2, none);
    assert.equal(none.length, 0);
  });

  it('a message filed into another folder is reported there under the id it had (immutable ids)', async () => {
    const source = new GraphChangeSource({ client: client(), origin: graph.origin });
    const cursor = await drain(source, null, []);
    const delivered = graph.deliver(rfc822('mover@fabrikam.test', 'Re: Proposal', '<move-1@fabrikam.test>'));
    const first: InboundMessage[] = [];
    const cursor2 = await drain(source, cursor, first);
    const inInbox = first.find((m) => m.messageId === '<move-1@fabrikam.test>');
    assert.equal(inInbox?.folder, 'Inbox');
    // The user files it away, as Outlook does: the message gets a new regular id.
    const moved = (await client().api(`/me/messages/${delivered.id}/move`).post({ destinationId: 'archive' })) as { id: string };
    assert.notEqual(moved.id, delivered.id);
    const later: InboundMessage[] = [];
    await drain(source, cursor2, later);
    const inArchive = later.find((m) => m.messageId === '<move-1@fabrikam.test>');
    assert.equal(inArchive?.folder, 'Archive');
    assert.equal(inArchive.providerMessageId, inInbox.providerMessageId, 'the same message keeps its provider id');
    assert.equal(inInbox.providerMessageId, graph.folderMessages('Archive').find((m) => m.internetMessageId === '<move-1@fabrikam.test>')?.immutableId);
  });

  it('410 Gone on an expired delta token is CURSOR_EXPIRED → resync', async () => {
    const source = new GraphChangeSource({ client: client(), origin: graph.origin });
    const cursor = await drain(source, null, []);
    graph.expireDeltaTokens();
    const err = await source.changesSince(cursor).catch((e: unknown) => e);
    assert.ok(err instanceof MailProviderError);
    assert.equal(err.code, 'CURSOR_EXPIRED');
    assert.equal(err.providerStatus, '410 syncstatenotfound');
    assert.equal(decideProviderErrorAction(err, { operation: 'sync', attempt: 1, backoff: { minMs: 1, maxMs: 2 } }).action, 'resync');
    await drain(source, null, []);
  });

  it('429 with Retry-After and a revoked token come back as coded errors', async () => {
    graph.throttleNext(1, 11);
    const throttled = await new GraphChangeSource({ client: client(), origin: graph.origin }).changesSince(null).catch((e: unknown) => e);
    assert.ok(throttled instanceof MailProviderError);
    assert.equal(throttled.code, 'RATE_LIMITED');
    assert.equal(throttled.retryAfterMs, 11_000);
    const unknown = await new GraphMailTransport(client('not-a-token')).send({ raw: Buffer.from(rfc822(REP, 's', '<x@t>')), envelope: { from: REP, to: ['a@b.test'] } }).catch((e: unknown) => e);
    assert.ok(unknown instanceof MailProviderError);
    assert.equal(unknown.code, 'AUTH_REVOKED');
  });

  it('subscriptions: validationToken handshake, clientState on every notification, renewal before expiry', async () => {
    const notifications: unknown[] = [];
    const receiver: Server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://x');
      const validationToken = url.searchParams.get('validationToken');
      if (validationToken !== null) {
        res.writeHead(200, { 'content-type': 'text/plain' });
        return void res.end(validationToken);
      }
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        notifications.push(JSON.parse(Buffer.concat(chunks).toString('utf8')));
        res.writeHead(202);
        res.end();
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    try {
      const notificationUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/graph/notifications`;
      const expirationDateTime = new Date(Date.now() + 3 * 86_400_000).toISOString();
      const created = (await client().api('/subscriptions').post({ changeType: 'created', notificationUrl, resource: 'me/messages', expirationDateTime, clientState: 'secret-client-state' })) as { id: string };
      assert.ok(created.id);
      const renewed = (await client().api(`/subscriptions/${created.id}`).patch({ expirationDateTime: new Date(Date.now() + 4 * 86_400_000).toISOString() })) as { expirationDateTime: string };
      assert.ok(Date.parse(renewed.expirationDateTime) > Date.parse(expirationDateTime));
      const tooLong = await client().api(`/subscriptions/${created.id}`).patch({ expirationDateTime: new Date(Date.now() + 30 * 86_400_000).toISOString() }).catch((e: unknown) => e);
      assert.equal((tooLong as { statusCode?: number }).statusCode, 400);
      const delivered = graph.deliver(rfc822('n@fabrikam.test', 'Ping', '<ping-1@fabrikam.test>'));
      await waitFor(() => notifications.length > 0, 'change notification');
      const body = notifications[0] as { value: { clientState: string; resourceData: { id: string }; changeType: string }[] };
      assert.equal(body.value[0]!.clientState, 'secret-client-state');
      assert.equal(body.value[0]!.resourceData.id, delivered.id);
      assert.equal(body.value[0]!.changeType, 'created');

      const rejecting = await client().api('/subscriptions').post({ changeType: 'created', notificationUrl: `${notificationUrl.replace(/\d+\/graph/, '9/graph')}`, resource: 'me/messages', expirationDateTime, clientState: 'x' }).catch((e: unknown) => e);
      assert.equal((rejecting as { statusCode?: number }).statusCode, 400, 'no handshake, no subscription');
    } finally {
      const closed = new Promise<void>((r) => receiver.close(() => r()));
      receiver.closeAllConnections();
      await closed;
    }
  });
});
