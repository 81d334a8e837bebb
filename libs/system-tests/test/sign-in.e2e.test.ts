import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { ManualClock } from '@telltale/db';
import { SequencerConfig, startSequencer } from '@telltale/sequencer';
import type { StartedService } from '@telltale/runtime';
import { createTestDatabase, findFreePort } from '@telltale/testing';
import { createLogger } from '@telltale/telemetry';
import { AppBrowser, requiredEnv, startIdentitySystem, type IdentitySystem } from '../src';

/**
 * Sign-in end to end (issue 12): the app service against a real OpenID provider (oidc-provider, the
 * sandbox issuer), sessions, CSRF, expiry, sign-out, revocation, invitations and API keys, and the
 * identity token the app forwards, verified by the sequencer against the app's published key set.
 */
const clock = new ManualClock(new Date());
let system: IdentitySystem;
let sequencer: StartedService;
let drop: () => Promise<void>;

const json = async <T = Record<string, unknown>>(res: Response): Promise<T> => (await res.json()) as T;
const sequenceBody = { name: 'Signed-in sequence', steps: [{ delayDays: 0, subject: 'Hello', text: 'Hi {{firstName}}' }] };

before(async () => {
  const db = await createTestDatabase(requiredEnv('DATABASE_URL'));
  drop = db.drop;
  const prefix = `signin-${randomBytes(4).toString('hex')}.`;
  const sequencerPort = await findFreePort();
  system = await startIdentitySystem({
    databaseUrl: db.url,
    kafkaBrokers: requiredEnv('KAFKA_BROKERS'),
    topicPrefix: prefix,
    upstreams: { sequencer: `http://127.0.0.1:${sequencerPort}` },
    clock,
  });
  sequencer = await startSequencer(
    SequencerConfig.parse({
      DATABASE_URL: db.url,
      KAFKA_BROKERS: requiredEnv('KAFKA_BROKERS'),
      KAFKA_TOPIC_PREFIX: prefix,
      HOST: '127.0.0.1',
      PORT: String(sequencerPort),
      LOG_LEVEL: 'warn',
      SEQUENCER_TICK_MS: '0',
      // Fetched from the app like a deployment does (cached, refetched for an unknown key id).
      IDENTITY_JWKS_URL: `${system.app.url}/.well-known/jwks.json`,
    }),
    { logger: createLogger({ service: 'sequencer', level: 'warn' }) },
  );
});

after(async () => {
  await sequencer?.stop();
  await system?.stop();
  await drop?.();
});

describe('sign-in through the organisation’s OpenID provider (oidc-provider sandbox issuer)', () => {
  it('signs the bootstrap admin in: code + PKCE, a session cookie (HttpOnly, SameSite=Lax), who they are and a CSRF token', async () => {
    const admin = new AppBrowser(system.app.url);
    const start = await admin.fetch('/auth/sign-in?email=admin%40telltale.test');
    assert.equal(start.status, 302);
    const authorize = new URL(start.headers.get('location')!);
    assert.equal(authorize.origin, new URL(system.issuer.issuer).origin);
    assert.equal(authorize.searchParams.get('code_challenge_method'), 'S256');
    assert.ok(authorize.searchParams.get('nonce') && authorize.searchParams.get('state'));
    const signInCookie = start.headers.getSetCookie().join('\n');
    assert.match(signInCookie, /HttpOnly/i);
    assert.match(signInCookie, /SameSite=Lax/i);

    const done = await admin.signIn('admin@telltale.test');
    assert.equal(done.status, 302, await done.clone().text());
    assert.equal(done.headers.get('location'), '/');
    const session = done.headers.getSetCookie().find((c) => c.startsWith('tt_session='))!;
    assert.match(session, /HttpOnly/i);
    assert.match(session, /SameSite=Lax/i);
    const me = await json<{ user: { email: string; role: string; status: string; name: string }; organization: { id: string }; csrfToken: string }>(await admin.fetch('/api/v1/me'));
    assert.equal(me.user.email, 'admin@telltale.test');
    assert.equal(me.user.role, 'admin');
    assert.equal(me.user.status, 'active', 'the invitation became a member at first sign-in');
    assert.equal(me.user.name, 'Avery Admin', 'the name comes from the ID token');
    assert.equal(me.organization.id, system.orgId);
    assert.ok(me.csrfToken.length >= 20);
  });

  it('refuses a callback this browser did not start, a replayed callback, and an address nobody invited', async () => {
    const browser = new AppBrowser(system.app.url);
    const start = await browser.fetch('/auth/sign-in?email=admin%40telltale.test');
    const { signInOverHttp } = await import('@telltale/oidc-sandbox');
    const { callbackUrl } = await signInOverHttp({ authorizationUrl: start.headers.get('location')!, email: 'admin@telltale.test', password: 'telltale-sandbox' });
    // Another browser (an attacker who sends the victim a callback link) has no sign-in cookie.
    const elsewhere = new AppBrowser(system.app.url);
    const stolen = await elsewhere.fetch(callbackUrl.pathname + callbackUrl.search);
    assert.equal(stolen.status, 400);
    assert.match(await stolen.text(), /not started in this browser/);
    const first = await browser.fetch(callbackUrl.pathname + callbackUrl.search);
    assert.equal(first.status, 302);
    const replay = await browser.fetch(callbackUrl.pathname + callbackUrl.search);
    assert.equal(replay.status, 400);

    const stranger = await new AppBrowser(system.app.url).fetch('/auth/sign-in?email=alex%40telltale.test');
    assert.equal(stranger.status, 403);
    assert.match(await stranger.text(), /Ask your administrator for an invitation/);
    const form = await new AppBrowser(system.app.url).fetch('/auth/sign-in');
    assert.equal(form.status, 200);
    assert.match(await form.text(), /<form method="get" action="\/auth\/sign-in">/);
  });

  it('invitations and sign-up domains: an invited rep joins with their role; a domain join is a rep; a wrong password signs no one in', async () => {
    const admin = new AppBrowser(system.app.url);
    await admin.signIn('admin@telltale.test');
    const invited = await admin.fetch('/api/v1/users/invitations', { method: 'POST', body: { email: 'Sam@Telltale.test', role: 'rep' } });
    assert.equal(invited.status, 201);
    assert.equal((await json<{ status: string }>(invited)).status, 'invited');
    assert.equal((await admin.fetch('/api/v1/users/invitations', { method: 'POST', body: { email: 'sam@telltale.test' } })).status, 409);
    await admin.fetch('/api/v1/users/invitations', { method: 'POST', body: { email: 'priya@telltale.test', role: 'manager' } });

    const sam = new AppBrowser(system.app.url);
    assert.equal((await sam.signIn('sam@telltale.test')).status, 302);
    assert.equal((await json<{ user: { role: string } }>(await sam.fetch('/api/v1/me'))).user.role, 'rep');

    const { SignInRefusedError } = await import('@telltale/oidc-sandbox');
    await assert.rejects(new AppBrowser(system.app.url).signIn('priya@telltale.test', 'wrong-password'), SignInRefusedError);

    const domains = await admin.fetch('/api/v1/organization', { method: 'PATCH', body: { signUpDomains: ['telltale.test'] } });
    assert.equal(domains.status, 200);
    const alex = new AppBrowser(system.app.url);
    assert.equal((await alex.signIn('alex@telltale.test')).status, 302);
    assert.equal((await json<{ user: { role: string } }>(await alex.fetch('/api/v1/me'))).user.role, 'rep');
    await admin.fetch('/api/v1/organization', { method: 'PATCH', body: { signUpDomains: [] } });
  });

  it('CSRF: a state change without the session’s token, or from another origin, is refused; with it the request reaches the sequencer as the signed-in user', async () => {
    const admin = new AppBrowser(system.app.url);
    await admin.signIn('admin@telltale.test');
    const noToken = await admin.fetch('/api/v1/sequences', { method: 'POST', body: sequenceBody, csrf: false });
    assert.equal(noToken.status, 403);
    assert.equal((await json(noToken)).error, 'csrf_check_failed');
    const wrongOrigin = await admin.fetch('/api/v1/sequences', { method: 'POST', body: sequenceBody, headers: { origin: 'https://evil.example' } });
    assert.equal(wrongOrigin.status, 403);
    const created = await admin.fetch('/api/v1/sequences', { method: 'POST', body: sequenceBody });
    assert.equal(created.status, 201, await created.clone().text());
    const sequence = await json<{ id: string; orgId?: string }>(created);
    const read = await admin.fetch(`/api/v1/sequences/${sequence.id}`);
    assert.equal(read.status, 200);
    // Straight to the sequencer: no token, an x-org-id header, or a token the app did not sign — all 401.
    assert.equal((await fetch(`${sequencer.url}/v1/sequences/${sequence.id}`)).status, 401);
    assert.equal((await fetch(`${sequencer.url}/v1/sequences/${sequence.id}`, { headers: { 'x-org-id': system.orgId } })).status, 401);
    const { IdentityTokenIssuer } = await import('@telltale/runtime');
    const forger = await IdentityTokenIssuer.generate('telltale-app');
    const forged = await forger.sign({ orgId: system.orgId, userId: crypto.randomUUID(), roles: ['admin'] });
    assert.equal((await fetch(`${sequencer.url}/v1/sequences/${sequence.id}`, { headers: { authorization: `Bearer ${forged}` } })).status, 401);
  });

  it('sessions end: idle expiry, absolute expiry, sign-out (with the provider’s end-session URL), and an admin revoking them', async () => {
    const sam = new AppBrowser(system.app.url);
    await sam.signIn('sam@telltale.test');
    assert.equal((await sam.fetch('/api/v1/me')).status, 200);
    clock.advance(12 * 60 * 60_000 + 60_000); // idle past 12 h
    assert.equal((await sam.fetch('/api/v1/me')).status, 401);

    const active = new AppBrowser(system.app.url);
    await active.signIn('sam@telltale.test');
    // Used every 8 hours (within the 12-hour idle time) it lives on, up to its 7-day absolute expiry.
    for (let hours = 8; hours <= 160; hours += 8) {
      clock.advance(8 * 60 * 60_000);
      assert.equal((await active.fetch('/api/v1/me')).status, 200, `still signed in after ${hours} h`);
    }
    clock.advance(9 * 60 * 60_000);
    assert.equal((await active.fetch('/api/v1/me')).status, 401, 'after 7 days it ends whatever the activity');

    const leaving = new AppBrowser(system.app.url);
    await leaving.signIn('sam@telltale.test');
    const unsafeSignOut = await leaving.fetch('/auth/sign-out', { method: 'POST', csrf: false });
    assert.equal(unsafeSignOut.status, 403, 'sign-out is a state change: CSRF-checked');
    const out = await leaving.fetch('/auth/sign-out', { method: 'POST' });
    assert.equal(out.status, 200);
    const body = await json<{ endSessionUrl: string | null }>(out);
    assert.ok(body.endSessionUrl?.startsWith(system.issuer.issuer), 'the provider’s end_session_endpoint');
    assert.equal((await leaving.fetch('/api/v1/me')).status, 401);

    const admin = new AppBrowser(system.app.url);
    await admin.signIn('admin@telltale.test');
    const victim = new AppBrowser(system.app.url);
    await victim.signIn('sam@telltale.test');
    const users = await json<{ users: { id: string; email: string }[] }>(await admin.fetch('/api/v1/users'));
    const samId = users.users.find((u) => u.email === 'sam@telltale.test')!.id;
    const revoked = await admin.fetch(`/api/v1/users/${samId}/sessions`, { method: 'DELETE' });
    assert.equal(revoked.status, 200);
    assert.ok((await json<{ revoked: number }>(revoked)).revoked >= 1);
    assert.equal((await victim.fetch('/api/v1/me')).status, 401);
    // A rep manages no one: the users list and another person's sessions are 403.
    const rep = new AppBrowser(system.app.url);
    await rep.signIn('sam@telltale.test');
    assert.equal((await rep.fetch('/api/v1/users')).status, 403);
    assert.equal((await rep.fetch(`/api/v1/users/${samId}/sessions`, { method: 'DELETE' })).status, 403);
  });

  it('API keys: created by an admin and shown once, stored hashed, scoped, last use recorded, revocable', async () => {
    const admin = new AppBrowser(system.app.url);
    await admin.signIn('admin@telltale.test');
    const created = await admin.fetch('/api/v1/api-keys', { method: 'POST', body: { name: 'reporting script', scopes: ['sequences:read'], role: 'manager' } });
    assert.equal(created.status, 201);
    const key = await json<{ id: string; key: string; lastUsedAt: string | null }>(created);
    assert.match(key.key, /^ttk_[0-9a-f]{32}_/);
    const listed = await json<{ apiKeys: Record<string, unknown>[] }>(await admin.fetch('/api/v1/api-keys'));
    const entry = listed.apiKeys.find((k) => k.id === key.id)!;
    assert.equal(entry.key, undefined, 'the key is shown once, never listed');
    assert.equal(entry.lastUsedAt, null);

    const asKey = (path: string, init: RequestInit = {}) => fetch(`${system.app.url}${path}`, { ...init, headers: { authorization: `Bearer ${key.key}`, 'content-type': 'application/json', ...(init.headers ?? {}) } });
    const adminSeq = await json<{ id: string }>(await admin.fetch('/api/v1/sequences', { method: 'POST', body: sequenceBody }));
    assert.equal((await asKey(`/api/v1/sequences/${adminSeq.id}`)).status, 200, 'sequences:read reads a sequence');
    const write = await asKey('/api/v1/sequences', { method: 'POST', body: JSON.stringify(sequenceBody) });
    assert.equal(write.status, 403);
    assert.equal((await json(write)).error, 'insufficient_scope');
    assert.equal((await asKey('/api/v1/api-keys')).status, 403, 'a manager key does not reach admin routes');
    const used = await json<{ apiKeys: { id: string; lastUsedAt: string | null }[] }>(await admin.fetch('/api/v1/api-keys'));
    assert.ok(used.apiKeys.find((k) => k.id === key.id)!.lastUsedAt);

    const adminKey = await fetch(`${system.app.url}/api/v1/api-keys`, { method: 'POST', headers: { authorization: `Bearer ${system.adminApiKey}`, 'content-type': 'application/json' }, body: JSON.stringify({ name: 'x', scopes: ['read'] }) });
    assert.equal(adminKey.status, 403, 'an API key cannot mint API keys');
    assert.equal((await admin.fetch(`/api/v1/api-keys/${key.id}`, { method: 'DELETE' })).status, 200);
    const afterRevoke = await asKey(`/api/v1/sequences/${adminSeq.id}`);
    assert.equal(afterRevoke.status, 401);
    assert.equal((await json(afterRevoke)).error, 'unauthenticated');
    assert.equal((await asKey(`/api/v1/sequences/${adminSeq.id}`, { headers: { authorization: `Bearer ttk_${'0'.repeat(32)}_${'a'.repeat(43)}` } })).status, 401);
  });

  it('the gateway forwards only known API paths, and a service that is down is a 503 with a clear error', async () => {
    const asAdminKey = (path: string) => fetch(`${system.app.url}${path}`, { headers: { authorization: `Bearer ${system.adminApiKey}` } });
    const unknown = await asAdminKey('/api/v1/nothing-here');
    assert.equal(unknown.status, 404);
    assert.equal((await json(unknown)).error, 'route_not_found');
    const down = await asAdminKey('/api/v1/mailboxes');
    assert.equal(down.status, 503);
    assert.equal((await json(down)).error, 'upstream_unavailable');
    assert.equal((await fetch(`${system.app.url}/api/v1/mailboxes`)).status, 401);
    const keys = await json<{ keys: { kty: string; d?: string }[] }>(await fetch(`${system.app.url}/.well-known/jwks.json`));
    assert.equal(keys.keys[0]!.kty, 'EC');
    assert.equal(keys.keys[0]!.d, undefined, 'only the public half is published');
  });
});
