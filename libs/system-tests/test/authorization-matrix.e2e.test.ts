import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { SignJWT, importJWK } from 'jose';
import { ManualClock } from '@telltale/db';
import {
  IDENTITY_AUDIENCE,
  IdentityTokenIssuer,
  PUBLIC_REASONS,
  generateServiceCredential,
  routeTable,
  sharedLocalIdentity,
  type LocalIdentity,
  type RouteEntry,
  type StartedService,
} from '@telltale/runtime';
import { createTestDatabase, startSalesforceSandbox, type SalesforceSandbox } from '@telltale/testing';
import { AppBrowser, eventually, requiredEnv, sandboxMailbox, startIdentitySystem, startTelltaleSystem, type IdentitySystem, type TelltaleSystem, servicesOf } from '../src';

/**
 * The authorization matrix (issue 12), generated from every service's route table so a new route
 * cannot be forgotten: each route × {no credentials, expired token, forged token, x-org-id only,
 * another service's credential, another organisation, rep / manager / admin, API key scopes} → the
 * expected 401 / 403 / 404, on the real services. Public routes must be on the list below, with why.
 */
const PUBLIC_ROUTES: Record<string, string> = {
  'GET /health/live': 'health',
  'GET /health/ready': 'health',
  'GET /o/:token': 'recipient',
  'GET /c/:token': 'recipient',
  'HEAD /c/:token': 'recipient',
  // One-click unsubscribe (RFC 8058): the signed token is the only credential a recipient has.
  'GET /u/:token': 'recipient',
  'POST /u/:token': 'recipient',
  'GET /d/register': 'recipient',
  'POST /v1/push/gmail': 'webhook',
  'POST /v1/push/graph': 'webhook',
  'GET /auth/sign-in': 'sign-in',
  'GET /auth/callback': 'sign-in',
  'GET /.well-known/jwks.json': 'keys',
  'GET /api/openapi.json': 'docs',
  'GET /api/openapi.yaml': 'docs',
};

/** The smallest file the content service takes for a PDF (its type is read from the bytes). */
const MINIMAL_PDF = Buffer.from('%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n');
const ORG_A = randomUUID();
const ORG_B = randomUUID();
let system: TelltaleSystem;
let identity: IdentitySystem;
let salesforce: SalesforceSandbox;
let local: LocalIdentity;
let drop: () => Promise<void>;
/** Real objects of org A, so "another organisation" is a 404 for something that exists. */
const objects: { sequenceId?: string; enrollmentId?: string; mailboxId?: string; sentEmailId?: string; documentId?: string } = {};
let checks = 0;

before(async () => {
  const db = await createTestDatabase(requiredEnv('DATABASE_URL'));
  drop = db.drop;
  salesforce = await startSalesforceSandbox();
  const prefix = `matrix-${randomBytes(4).toString('hex')}.`;
  system = await startTelltaleSystem({
    databaseUrl: db.url,
    kafkaBrokers: requiredEnv('KAFKA_BROKERS'),
    topicPrefix: prefix,
    clock: new ManualClock(new Date()),
    salesforce: { loginUrl: salesforce.url, clientId: salesforce.clientId, clientSecret: salesforce.clientSecret, username: 'rep@telltale.sandbox', password: 'telltale-sandbox-password' },
  });
  identity = await startIdentitySystem({
    databaseUrl: db.url,
    kafkaBrokers: requiredEnv('KAFKA_BROKERS'),
    topicPrefix: prefix,
    upstreams: { sequencer: system.sequencer.url },
  });
  local = await sharedLocalIdentity();
  const asAdminA = async (base: string, path: string, body: unknown): Promise<{ id: string }> => {
    const res = await fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', ...(await local.headers(ORG_A)) }, body: JSON.stringify(body) });
    const text = await res.text();
    assert.equal(res.status, 201, `POST ${path}: ${text}`);
    return JSON.parse(text) as { id: string };
  };
  const address = `matrix-${randomBytes(3).toString('hex')}@telltale.test`;
  // GreenMail, shared by the whole run, sometimes drops a connection on a loaded machine: the
  // connect check then answers 422 mailbox_unreachable, and connecting again is what a person does.
  objects.mailboxId = await eventually('the sandbox mailbox connected', async () => {
    const res = await fetch(`${system.mailboxSync.url}/v1/mailboxes`, { method: 'POST', headers: { 'content-type': 'application/json', ...(await local.headers(ORG_A)) }, body: JSON.stringify(sandboxMailbox(address)) });
    if (res.status === 422) return undefined;
    assert.equal(res.status, 201, await res.clone().text());
    return ((await res.json()) as { id: string }).id;
  });
  objects.sequenceId = (await asAdminA(system.sequencer.url, '/v1/sequences', { name: 'Matrix', steps: [{ subject: 'Hi', text: 'Hello' }] })).id;
  objects.enrollmentId = (
    await asAdminA(system.sequencer.url, `/v1/sequences/${objects.sequenceId}/enrollments`, {
      mailboxId: objects.mailboxId,
      from: { address, name: 'Matrix Rep' },
      prospect: { email: 'prospect@example.com' },
      startAt: new Date(Date.now() + 86_400_000 * 30).toISOString(),
    })
  ).id;
  const sent = (await asAdminA(system.sender.url, '/v1/emails', { mailboxId: objects.mailboxId, from: { address, name: 'Matrix Rep' }, to: [{ address: 'prospect@example.com', name: 'P' }], subject: 'Matrix', text: 'Hello' })) as unknown as { sentEmailId: string };
  objects.sentEmailId = sent.sentEmailId;
  // A rep's own (not shared) document; conversion is not needed for who may see it.
  const upload = await fetch(`${system.content.url}/v1/documents?filename=matrix.pdf`, {
    method: 'POST',
    headers: { 'content-type': 'application/pdf', ...(await local.headers(ORG_A, { userId: local.userOf(ORG_A), roles: ['rep'] })) },
    body: MINIMAL_PDF,
  });
  assert.equal(upload.status, 201, await upload.clone().text());
  objects.documentId = ((await upload.json()) as { id: string }).id;
  assert.ok(objects.mailboxId && objects.sequenceId && objects.enrollmentId && objects.sentEmailId && objects.documentId, `org A's objects: ${JSON.stringify(objects)}`);
});

after(async () => {
  await identity?.stop();
  await system?.stop();
  await salesforce?.stop();
  await drop?.();
});

const services = (): [string, StartedService][] => servicesOf(system);

/** A concrete path: org A's real objects where the route names them, random ids elsewhere. */
function concrete(path: string): string {
  return path
    .replace(/^\/v1\/sequences\/:id/, `/v1/sequences/${objects.sequenceId}`)
    .replace(/^\/v1\/enrollments\/:id/, `/v1/enrollments/${objects.enrollmentId}`)
    .replace(/^\/v1\/mailboxes\/:id/, `/v1/mailboxes/${objects.mailboxId}`)
    .replace(/^\/v1\/emails\/:id$/, `/v1/emails/${objects.sentEmailId}`)
    .replace(/^\/v1\/documents\/:id/, `/v1/documents/${objects.documentId}`)
    .replace(/\*path$/, 'v1/sequences')
    // A document's version and page numbers: the first, which org A's document has.
    .replace(/\/:(n|page)(?=\/|$)/g, '/1')
    .replace(/:[A-Za-z]+/g, () => randomUUID());
}

async function call(base: string, route: RouteEntry, headers: Record<string, string>, path = concrete(route.path)): Promise<{ status: number; error: string | null }> {
  const res = await fetch(`${base}${path}`, { method: route.method === 'ALL' ? 'GET' : route.method, headers: { 'content-type': 'application/json', ...headers }, redirect: 'manual' });
  checks++;
  const text = await res.text();
  let error: string | null = null;
  try {
    error = (JSON.parse(text) as { error?: string }).error ?? null;
  } catch {
    // not JSON (HEAD)
  }
  return { status: res.status, error };
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const key = (r: RouteEntry) => `${r.method} ${r.path}`;

async function expiredToken(orgId: string): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  const jwk = local.issuer.privateJwk;
  return new SignJWT({ org: orgId, kind: 'user', roles: ['admin'] })
    .setProtectedHeader({ alg: 'ES256', kid: jwk.kid })
    .setIssuer(local.issuer.issuer)
    .setAudience(IDENTITY_AUDIENCE)
    .setSubject(`user:${randomUUID()}`)
    .setIssuedAt(now - 3600)
    .setExpirationTime(now - 600)
    .sign(await importJWK(jwk, 'ES256'));
}

describe('authorization matrix of the seven services behind the app (identity tokens, service credentials)', () => {
  test('every route declares its access; the public ones are exactly the list, each with its reason', () => {
    for (const [name, service] of services()) {
      for (const route of routeTable(service.app)) {
        assert.ok(route.access, `${name}: ${key(route)} declares no access rule`);
        if (route.access.kind === 'public') {
          assert.equal(PUBLIC_ROUTES[key(route)], route.access.reason, `${name}: ${key(route)} is public (${route.access.reason}) but not on the list`);
          assert.ok((PUBLIC_REASONS as readonly string[]).includes(route.access.reason));
        }
      }
    }
  });

  test('internal routes: only the named service with its own credential', async () => {
    const other = generateServiceCredential('tracker');
    let internal = 0;
    for (const [name, service] of services()) {
      for (const route of routeTable(service.app).filter((r) => r.access?.kind === 'internal')) {
        internal++;
        const cases: [string, Record<string, string>][] = [
          ['no credentials', {}],
          ['x-org-id only', { 'x-org-id': ORG_A }],
          ["another service's credential", bearer(other.credential)],
          ['an admin identity token', await local.headers(ORG_A)],
        ];
        for (const [what, headers] of cases) {
          const res = await call(service.url, route, headers);
          assert.equal(res.status, 401, `${name} ${key(route)} with ${what}`);
        }
        const caller = route.access?.kind === 'internal' ? route.access.callers[0] : 'sender';
        const credential = caller === 'sender' ? local.sender.credential : system.callerCredentials[caller as keyof TelltaleSystem['callerCredentials']];
        assert.ok(credential, `${name} ${key(route)}: no credential of ${caller} in the test system`);
        const allowed = await call(service.url, route, bearer(credential));
        assert.notEqual(allowed.status, 401, `${name} ${key(route)} with the ${caller}'s credential`);
        if (caller !== 'sender') assert.equal((await call(service.url, route, bearer(local.sender.credential))).status, 401, `${name} ${key(route)} with the sender's credential`);
      }
    }
    assert.ok(internal >= 2, 'the claim and transport routes are internal');
  });

  test('member routes: 401 without a valid identity token (none, expired, forged, x-org-id only, wrong issuer)', async () => {
    const forger = await IdentityTokenIssuer.generate(local.issuer.issuer);
    const wrongIssuer = await IdentityTokenIssuer.generate('someone-else');
    for (const [name, service] of services()) {
      for (const route of routeTable(service.app).filter((r) => r.access?.kind === 'member')) {
        const cases: [string, Record<string, string>][] = [
          ['no credentials', {}],
          ['x-org-id only', { 'x-org-id': ORG_A }],
          ['an expired token', bearer(await expiredToken(ORG_A))],
          ['a forged token', bearer(await forger.sign({ orgId: ORG_A, userId: randomUUID(), roles: ['admin'] }))],
          ['a token of another issuer', bearer(await wrongIssuer.sign({ orgId: ORG_A, userId: randomUUID(), roles: ['admin'] }))],
          ['a malformed token', bearer('not-a-token')],
          ["the sender's service credential", bearer(local.sender.credential)],
        ];
        for (const [what, headers] of cases) {
          const res = await call(service.url, route, headers);
          assert.equal(res.status, 401, `${name} ${key(route)} with ${what}`);
          assert.equal(res.error, 'unauthenticated', `${name} ${key(route)} with ${what}`);
        }
      }
    }
  });

  test('member routes: roles (rep, manager, admin) and API key scopes', async () => {
    for (const [name, service] of services()) {
      for (const route of routeTable(service.app)) {
        if (route.access?.kind !== 'member' || route.access.resource === null) continue;
        const { resource, roles } = route.access;
        for (const role of ['rep', 'manager', 'admin'] as const) {
          const res = await call(service.url, route, await local.headers(ORG_B, { roles: [role] }));
          if (roles.length > 0 && !roles.includes(role)) assert.equal(res.status, 403, `${name} ${key(route)} as ${role}`);
          else assert.ok(res.status !== 401 && !(res.status === 403 && res.error === 'forbidden' && route.path.includes('office')), `${name} ${key(route)} as ${role}: ${res.status}`);
        }
        const read = ['GET', 'HEAD'].includes(route.method);
        const otherResource = resource === 'sequences' ? 'mailboxes' : 'sequences';
        const wrongScope = await call(service.url, route, await local.headers(ORG_B, { apiKeyScopes: [`${otherResource}:write`], roles: ['admin'] }));
        assert.equal(wrongScope.status, 403, `${name} ${key(route)} with ${otherResource}:write`);
        assert.equal(wrongScope.error, 'insufficient_scope');
        if (!read) {
          const readOnly = await call(service.url, route, await local.headers(ORG_B, { apiKeyScopes: [`${resource}:read`], roles: ['admin'] }));
          assert.equal(readOnly.status, 403, `${name} ${key(route)} with ${resource}:read only`);
        }
        const scoped = await call(service.url, route, await local.headers(ORG_B, { apiKeyScopes: [`${resource}:${read ? 'read' : 'write'}`], roles: ['admin'] }));
        assert.notEqual(scoped.error, 'insufficient_scope', `${name} ${key(route)} with ${resource}:${read ? 'read' : 'write'}`);
      }
    }
  });

  test("another organisation's objects are 404; the owner's organisation sees them; a rep does not see another rep's mailbox", async () => {
    const reads = services().flatMap(([name, service]) =>
      routeTable(service.app)
        .filter((r) => r.access?.kind === 'member' && r.method === 'GET' && /\/:(id|sentEmailId|userId)/.test(r.path))
        .map((route) => ({ name, service, route })),
    );
    assert.ok(reads.length >= 7);
    for (const { name, service, route } of reads) {
      const path = concrete(route.path);
      const foreign = await call(service.url, route, await local.headers(ORG_B), path);
      // A person's devices: an admin of another organisation lists that organisation's (none), a rep is refused.
      if (route.path.includes('/users/')) {
        assert.equal(foreign.status, 200, `${name} GET ${path} by another organisation's admin`);
        assert.equal((await call(service.url, route, await local.headers(ORG_B, { roles: ['rep'] }), path)).status, 403);
        continue;
      }
      // The tracker keeps only hits: an email's engagement reads as none for another organisation, like an unknown id.
      if (route.path.endsWith('/engagement')) {
        const res = await fetch(`${service.url}${path}`, { headers: await local.headers(ORG_B) });
        const body = (await res.json()) as { humanOpens: number; machineHits: number; ownHits: number; humanClicks: number };
        assert.deepEqual([res.status, body.humanOpens, body.humanClicks, body.machineHits, body.ownHits], [200, 0, 0, 0, 0]);
        continue;
      }
      // reply-detector knows an enrollment only by its sent emails: for another organisation there are none.
      if (route.path.endsWith('/verdicts')) {
        const res = await fetch(`${service.url}${path}`, { headers: await local.headers(ORG_B) });
        const body = (await res.json()) as { sentEmails: unknown[]; verdicts: unknown[]; stopRequested: boolean };
        assert.deepEqual([res.status, body.sentEmails.length, body.verdicts.length, body.stopRequested], [200, 0, 0, false]);
        continue;
      }
      assert.equal(foreign.status, 404, `${name} GET ${path} by another organisation`);
      if (/^\/v1\/(sequences|enrollments|mailboxes)\/:id|^\/v1\/documents\/:id(\/versions)?$|^\/v1\/emails\/:id$/.test(route.path)) {
        const own = await call(service.url, route, await local.headers(ORG_A), path);
        assert.equal(own.status, 200, `${name} GET ${route.path} by its organisation`);
      }
    }
    const mailbox = routeTable(system.mailboxSync.app).find((r) => r.method === 'GET' && r.path === '/v1/mailboxes/:id')!;
    const anotherRep = await call(system.mailboxSync.url, mailbox, await local.headers(ORG_A, { userId: randomUUID(), roles: ['rep'] }));
    assert.equal(anotherRep.status, 404, "a rep does not see another rep's mailbox");
    const manager = await call(system.mailboxSync.url, mailbox, await local.headers(ORG_A, { userId: randomUUID(), roles: ['manager'] }));
    assert.equal(manager.status, 200, "a manager sees the team's mailboxes");
    const del = routeTable(system.mailboxSync.app).find((r) => r.method === 'DELETE' && r.path === '/v1/mailboxes/:id')!;
    assert.equal((await call(system.mailboxSync.url, del, await local.headers(ORG_B))).status, 404, "another organisation cannot disconnect it");
    assert.equal((await call(system.mailboxSync.url, del, await local.headers(ORG_A, { userId: randomUUID(), roles: ['rep'] }))).status, 404, "nor another rep");
    for (const [service, path] of [
      [system.sequencer, `/v1/sequences/${objects.sequenceId}`],
      [system.sequencer, `/v1/enrollments/${objects.enrollmentId}`],
      [system.sequencer, `/v1/enrollments/${objects.enrollmentId}/explain`],
      [system.content, `/v1/documents/${objects.documentId}`],
      [system.content, `/v1/documents/${objects.documentId}/versions`],
    ] as const) {
      const otherRep = await fetch(`${service.url}${path}`, { headers: await local.headers(ORG_A, { userId: randomUUID(), roles: ['rep'] }) });
      assert.equal(otherRep.status, 404, `another rep: GET ${path}`);
      const owner = await fetch(`${service.url}${path}`, { headers: await local.headers(ORG_A, { userId: local.userOf(ORG_A), roles: ['rep'] }) });
      assert.equal(owner.status, 200, `the rep who made it: GET ${path}`);
      checks += 2;
    }
    const email = routeTable(system.sender.app).find((r) => r.method === 'GET' && r.path === '/v1/emails/:id')!;
    assert.equal((await call(system.sender.url, email, await local.headers(ORG_A, { userId: randomUUID(), roles: ['rep'] }))).status, 404, "a rep does not read another rep's email");
    assert.equal((await call(system.sender.url, email, await local.headers(ORG_A, { userId: local.userOf(ORG_A), roles: ['rep'] }))).status, 200, 'the rep whose mailbox sent it does');
    const send = routeTable(system.sender.app).find((r) => r.method === 'POST' && r.path === '/v1/emails')!;
    const throughOthers = await fetch(`${system.sender.url}${send.path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(await local.headers(ORG_A, { userId: randomUUID(), roles: ['rep'] })) },
      body: JSON.stringify({ mailboxId: objects.mailboxId, from: { address: 'x@telltale.test', name: 'X' }, to: [{ address: 'p@example.com', name: 'P' }], subject: 'S', text: 'T' }),
    });
    assert.equal(throughOthers.status, 404, "a rep cannot send through another rep's mailbox");
    // Documents: a manager sees the team's; another rep neither deletes nor adds a version to one not shared; shared, they see it.
    const document = routeTable(system.content.app).find((r) => r.method === 'GET' && r.path === '/v1/documents/:id')!;
    assert.equal((await call(system.content.url, document, await local.headers(ORG_A, { userId: randomUUID(), roles: ['manager'] }))).status, 200, "a manager sees a rep's document");
    const anotherRepA = await local.headers(ORG_A, { userId: randomUUID(), roles: ['rep'] });
    for (const method of ['DELETE', 'POST'] as const) {
      const res = await fetch(`${system.content.url}/v1/documents/${objects.documentId}${method === 'POST' ? '/versions?filename=v2.pdf' : ''}`, { method, headers: { 'content-type': 'application/pdf', ...anotherRepA }, body: method === 'POST' ? MINIMAL_PDF : undefined });
      checks++;
      assert.equal(res.status, 404, `another rep: ${method} on a document not shared`);
    }
    const shared = await fetch(`${system.content.url}/v1/documents?filename=shared.pdf&shared=true`, { method: 'POST', headers: { 'content-type': 'application/pdf', ...(await local.headers(ORG_A, { userId: local.userOf(ORG_A), roles: ['rep'] })) }, body: MINIMAL_PDF });
    assert.equal(shared.status, 201, await shared.clone().text());
    const sharedId = ((await shared.json()) as { id: string }).id;
    assert.equal((await fetch(`${system.content.url}/v1/documents/${sharedId}`, { headers: anotherRepA })).status, 200, 'another rep sees a shared document');
    assert.equal((await fetch(`${system.content.url}/v1/documents/${sharedId}`, { method: 'DELETE', headers: anotherRepA })).status, 404, 'but does not delete it');
    checks += 3;
  });
});

describe('authorization matrix of the app (sessions with CSRF, API keys)', () => {
  test('every app route: 401 without a session or API key, whatever else is presented; person-only and admin-only routes refuse the others', async () => {
    const appRoutes = routeTable(identity.app.app);
    for (const route of appRoutes) {
      assert.ok(route.access, `app: ${key(route)} declares no access rule`);
      if (route.access.kind === 'public') assert.equal(PUBLIC_ROUTES[key(route)], route.access.reason, `app: ${key(route)} is public but not on the list`);
    }
    const signedByApp = await IdentityTokenIssuer.generate('telltale-app');
    const members = appRoutes.filter((r) => r.access?.kind === 'member');
    for (const route of members) {
      const cases: [string, Record<string, string>][] = [
        ['no credentials', {}],
        ['x-org-id only', { 'x-org-id': identity.orgId }],
        ['an identity token (services take those, the app does not)', bearer(await signedByApp.sign({ orgId: identity.orgId, userId: randomUUID(), roles: ['admin'] }))],
        ['an unknown API key', bearer(`ttk_${randomBytes(16).toString('hex')}_${randomBytes(32).toString('base64url')}`)],
        ['a forged session cookie', { cookie: `tt_session=${randomBytes(32).toString('base64url')}` }],
      ];
      for (const [what, headers] of cases) {
        const res = await call(identity.app.url, route, headers);
        assert.equal(res.status, 401, `app ${key(route)} with ${what}`);
      }
    }
    const admin = new AppBrowser(identity.app.url);
    assert.equal((await admin.signIn('admin@telltale.test')).status, 302);
    await admin.fetch('/api/v1/users/invitations', { method: 'POST', body: { email: 'sam@telltale.test', role: 'rep' } });
    const rep = new AppBrowser(identity.app.url);
    assert.equal((await rep.signIn('sam@telltale.test')).status, 302);
    for (const route of members) {
      const path = concrete(route.path);
      const method = route.method === 'ALL' ? 'GET' : route.method;
      if (method !== 'GET') {
        const noCsrf = await admin.fetch(path, { method, csrf: false });
        checks++;
        assert.equal(noCsrf.status, 403, `app ${key(route)} without the CSRF token`);
      }
      if (route.access?.kind === 'member' && route.access.roles.length > 0 && !route.access.roles.includes('rep')) {
        const asRep = await rep.fetch(path, { method });
        checks++;
        assert.equal(asRep.status, 403, `app ${key(route)} as a rep`);
      }
    }
    const keyOnly = await fetch(`${identity.app.url}/api/v1/organization/identity-provider`, { method: 'PUT', headers: { ...bearer(identity.adminApiKey), 'content-type': 'application/json' }, body: JSON.stringify({ issuer: 'https://idp.example.com', clientId: 'x' }) });
    checks++;
    assert.equal(keyOnly.status, 403, 'an API key cannot change how people sign in');
    console.log(`# authorization matrix: ${services().reduce((n, [, s]) => n + routeTable(s.app).length, 0) + appRoutes.length} routes, ${checks} requests`);
  });
});
