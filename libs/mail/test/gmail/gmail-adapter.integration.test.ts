import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { gmail as gmailApi } from '@googleapis/gmail';

import { startGmailTestServer, type GmailTestServer } from '@telltale/testing';
import { decideProviderErrorAction, GmailChangeSource, GmailMailTransport, GoogleOAuth, MailProviderError, RefreshingAccessTokenSource, type AccessTokenSource, type InboundMessage, type MailboxChangeSource } from '../../src';

const REP = 'rep@example.com';
const REDIRECT = 'http://127.0.0.1:9/oauth/google/callback';

function rfc822(fields: { from: string; to: string; subject: string; messageId: string; inReplyTo?: string; body?: string }): string {
  return [
    `From: ${fields.from}`,
    `To: ${fields.to}`,
    `Subject: ${fields.subject}`,
    `Message-ID: ${fields.messageId}`,
    `Date: Fri, 27 Nov 2026 09:00:00 +0000`,
    ...(fields.inReplyTo ? [`In-Reply-To: ${fields.inReplyTo}`, `References: ${fields.inReplyTo}`] : []),
    'Content-Type: text/plain; charset=utf-8',
    '',
    fields.body ?? 'hello',
    '',
  ].join('\r\n');
}

function staticTokens(token: string): AccessTokenSource {
  return { accessToken: async () => token };
}

/** Drains pages like mailbox-sync does: record, then persist the cursor; resync on CURSOR_EXPIRED. */
async function drain(source: MailboxChangeSource, cursor: string | null, seen: InboundMessage[]): Promise<string> {
  let current = cursor;
  for (let page = 0; page < 1_000; page += 1) {
    const result = await source.changesSince(current);
    seen.push(...result.messages);
    current = result.cursor;
    if (!result.hasMore) return current;
  }
  throw new Error('too many pages');
}

describe('Gmail adapter against emulate@0.12.2 (googleapis unmodified, rootUrl)', () => {
  let server: GmailTestServer;
  let gmail: ReturnType<typeof gmailApi>;

  before(async () => {
    server = await startGmailTestServer({ emailAddress: REP, redirectUri: REDIRECT });
    gmail = gmailApi({ version: 'v1', rootUrl: server.url });
  });
  after(async () => {
    await server.close();
  });

  it('connects with authorization code + PKCE + offline access, then refreshes one at a time', async () => {
    const oauth = new GoogleOAuth({ clientId: 'telltale-test.apps.googleusercontent.com', clientSecret: 'test-secret', redirectUri: REDIRECT, authBaseUrl: server.authUrl, tokenUrl: server.tokenUrl });
    const started = await oauth.start('state-123', REP);
    const authUrl = new URL(started.url);
    assert.equal(authUrl.searchParams.get('access_type'), 'offline');
    assert.equal(authUrl.searchParams.get('code_challenge_method'), 'S256');
    assert.match(authUrl.searchParams.get('scope') ?? '', /gmail\.readonly/);
    assert.doesNotMatch(authUrl.searchParams.get('scope') ?? '', /mail\.google\.com/);
    const consent = await fetch(started.url, { redirect: 'manual' });
    const callback = new URL(consent.headers.get('location') ?? '');
    assert.equal(callback.searchParams.get('state'), 'state-123');
    await assert.rejects(oauth.exchange(callback.searchParams.get('code') ?? '', 'wrong-verifier'), (e: unknown) => e instanceof MailProviderError && e.code === 'AUTH_REVOKED');
    const consent2 = await fetch(started.url, { redirect: 'manual' });
    const code = new URL(consent2.headers.get('location') ?? '').searchParams.get('code') ?? '';
    const grant = await oauth.exchange(code, started.codeVerifier);
    assert.ok(grant.refreshToken);

    const before = server.refreshCount;
    const tokens = new RefreshingAccessTokenSource({ now: () => new Date(), refresh: () => oauth.refresh(grant.refreshToken) });
    const all = await Promise.all(Array.from({ length: 5 }, () => tokens.accessToken()));
    assert.equal(new Set(all).size, 1);
    assert.equal(server.refreshCount - before, 1, 'one refresh for five concurrent callers');
    const source = new GmailChangeSource({ gmail, tokens });
    await source.changesSince(null);

    server.revoke(grant.refreshToken);
    const revokedTokens = new RefreshingAccessTokenSource({ now: () => new Date(), refresh: () => oauth.refresh(grant.refreshToken) });
    const err = await new GmailChangeSource({ gmail, tokens: revokedTokens }).changesSince(null).catch((e: unknown) => e);
    assert.ok(err instanceof MailProviderError);
    assert.equal(err.code, 'AUTH_REVOKED');
    assert.equal(decideProviderErrorAction(err, { operation: 'sync', attempt: 1, backoff: { minMs: 1, maxMs: 2 } }).action, 'reconnect');
    // The access token issued before revocation stops working too.
    const stale = await new GmailChangeSource({ gmail, tokens: staticTokens(all[0]!) }).changesSince(null).catch((e: unknown) => e);
    assert.ok(stale instanceof MailProviderError && stale.code === 'AUTH_REVOKED');
  });

  it('initial sync in pages, incremental history, a reply filed under a label, and a restart mid-sync', async () => {
    const { accessToken } = server.issueGrant();
    const tokens = staticTokens(accessToken);
    const transport = new GmailMailTransport(gmail, tokens);
    const sent = await transport.send({ raw: Buffer.from(rfc822({ from: REP, to: 'buyer@acme.test', subject: 'Proposal', messageId: '<ours-1@telltale.test>' })), envelope: { from: REP, to: ['buyer@acme.test'] } });
    assert.equal(sent.messageId, '<ours-1@telltale.test>');
    assert.ok(sent.providerMessageId);
    assert.ok(sent.providerThreadId);

    for (let i = 0; i < 5; i += 1) await server.deliver(rfc822({ from: `p${i}@acme.test`, to: REP, subject: `Old ${i}`, messageId: `<old-${i}@acme.test>` }));

    const source = new GmailChangeSource({ gmail, tokens, pageSize: 2 });
    // Restart mid-sync: take one page, "crash", resume from the persisted cursor with a new adapter.
    const seen: InboundMessage[] = [];
    const first = await source.changesSince(null);
    assert.equal(first.hasMore, true);
    seen.push(...first.messages);
    const cursor = await drain(new GmailChangeSource({ gmail, tokens, pageSize: 2 }), first.cursor, seen);
    const oldIds = seen.map((m) => m.messageId).filter((id) => id?.startsWith('<old-'));
    assert.equal(new Set(oldIds).size, 5, 'every old message exactly once');
    assert.ok(!seen.some((m) => m.messageId === '<ours-1@telltale.test>'), 'our own sent mail is not inbound');

    // A filter skips the inbox and files the reply under a label.
    const deals = await server.createLabel('Deals');
    await server.deliver(rfc822({ from: 'buyer@acme.test', to: REP, subject: 'Re: Proposal', messageId: '<reply-1@acme.test>', inReplyTo: sent.messageId }), [deals]);
    const later: InboundMessage[] = [];
    const cursor2 = await drain(source, cursor, later);
    assert.deepEqual(later.map((m) => m.messageId), ['<reply-1@acme.test>']);
    assert.equal(later[0]!.folder, deals);
    assert.deepEqual(later[0]!.inReplyTo, ['<ours-1@telltale.test>']);
    assert.equal(later[0]!.providerThreadId, sent.providerThreadId, 'Gmail threads the reply with our sent message by In-Reply-To');

    const none: InboundMessage[] = [];
    await drain(source, cursor2, none);
    assert.equal(none.length, 0, 'nothing new, nothing repeated');
  });

  it('an expired history id is a CURSOR_EXPIRED the policy turns into a full resync', async () => {
    const tokens = staticTokens(server.issueGrant().accessToken);
    const source = new GmailChangeSource({ gmail, tokens });
    const cursor = await drain(source, null, []);
    await server.deliver(rfc822({ from: 'late@acme.test', to: REP, subject: 'While away', messageId: '<late-1@acme.test>' }));
    await server.expireHistory();
    const err = await source.changesSince(cursor).catch((e: unknown) => e);
    assert.ok(err instanceof MailProviderError);
    assert.equal(err.code, 'CURSOR_EXPIRED');
    assert.equal(decideProviderErrorAction(err, { operation: 'sync', attempt: 1, backoff: { minMs: 1, maxMs: 2 } }).action, 'resync');
    const resynced: InboundMessage[] = [];
    await drain(source, null, resynced);
    assert.ok(resynced.some((m) => m.messageId === '<late-1@acme.test>'), 'the message that arrived meanwhile is found by the resync');
    await assert.rejects(source.changesSince('not-a-cursor'), (e: unknown) => e instanceof MailProviderError && e.code === 'CURSOR_EXPIRED');
  });

  it('429 with Retry-After becomes RATE_LIMITED carrying the wait', async () => {
    const tokens = staticTokens(server.issueGrant().accessToken);
    const transport = new GmailMailTransport(gmail, tokens);
    server.throttleNext(1, 7);
    const err = await transport.send({ raw: Buffer.from(rfc822({ from: REP, to: 'x@acme.test', subject: 's', messageId: '<t@telltale.test>' })), envelope: { from: REP, to: ['x@acme.test'] } }).catch((e: unknown) => e);
    assert.ok(err instanceof MailProviderError);
    assert.equal(err.code, 'RATE_LIMITED');
    assert.equal(err.retryAfterMs, 7_000);
    const decision = decideProviderErrorAction(err, { operation: 'send', attempt: 1, backoff: { minMs: 1_000, maxMs: 60_000 }, random: () => 0 });
    assert.deepEqual(decision, { action: 'retry', delayMs: 7_000 });
  });
});
