import assert from 'node:assert/strict';
import { createHash, generateKeyPairSync, randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { importPKCS8, SignJWT } from 'jose';
import { startSalesforceSandbox, type SalesforceSandbox } from '../src';

/** The sandbox's web-server and JWT bearer grants hold clients to Salesforce's documented rules. */
describe('Salesforce sandbox OAuth: web-server flow with PKCE and JWT bearer', () => {
  let sandbox: SalesforceSandbox;
  const redirectUri = 'http://127.0.0.1:9/callback';
  const keys = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const privatePem = keys.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const consumerKey = '3MVG9sandboxjwtapp';

  before(async () => {
    sandbox = await startSalesforceSandbox();
    sandbox.registerJwtApp(consumerKey, keys.publicKey.export({ type: 'spki', format: 'pem' }).toString());
  });
  after(async () => {
    await sandbox.stop();
  });

  const token = async (form: Record<string, string>): Promise<{ status: number; body: Record<string, string> }> => {
    const res = await fetch(`${sandbox.url}/services/oauth2/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(form) });
    return { status: res.status, body: (await res.json()) as Record<string, string> };
  };
  const authorize = async (params: Record<string, string>): Promise<URL> => {
    const url = new URL(`${sandbox.url}/services/oauth2/authorize`);
    for (const [k, v] of Object.entries({ response_type: 'code', client_id: sandbox.clientId, redirect_uri: redirectUri, ...params })) url.searchParams.set(k, v);
    const res = await fetch(url, { redirect: 'manual' });
    assert.equal(res.status, 302);
    return new URL(res.headers.get('location') ?? '');
  };
  const pkce = () => {
    const verifier = randomBytes(48).toString('base64url');
    return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
  };
  const redeem = (code: string, extra: Record<string, string> = {}) =>
    token({ grant_type: 'authorization_code', code, client_id: sandbox.clientId, client_secret: sandbox.clientSecret, redirect_uri: redirectUri, ...extra });

  it('issues a single-use code for the PKCE challenge, then an access and refresh token', async () => {
    const { verifier, challenge } = pkce();
    const back = await authorize({ state: 's1', code_challenge: challenge, code_challenge_method: 'S256' });
    assert.equal(back.searchParams.get('state'), 's1');
    const code = back.searchParams.get('code') ?? '';
    const first = await redeem(code, { code_verifier: verifier });
    assert.equal(first.status, 200);
    assert.ok(first.body.access_token && first.body.refresh_token && first.body.instance_url);
    assert.match(first.body.id ?? '', new RegExp(`/id/${sandbox.organizationId}/005`));
    const again = await redeem(code, { code_verifier: verifier });
    assert.deepEqual([again.status, again.body.error], [400, 'invalid_grant']);
  });

  it('answers invalid_grant without a verifier and invalid_request for a wrong one, as Salesforce documents', async () => {
    const { challenge } = pkce();
    const missing = await redeem((await authorize({ code_challenge: challenge })).searchParams.get('code') ?? '');
    assert.deepEqual([missing.status, missing.body.error], [400, 'invalid_grant']);
    const wrong = await redeem((await authorize({ code_challenge: challenge })).searchParams.get('code') ?? '', { code_verifier: pkce().verifier });
    assert.deepEqual([wrong.status, wrong.body.error], [400, 'invalid_request']);
    const plain = await authorize({ code_challenge: challenge, code_challenge_method: 'plain' });
    assert.equal(plain.searchParams.get('error'), 'invalid_request');
    const otherRedirect = await token({ grant_type: 'authorization_code', code: (await authorize({})).searchParams.get('code') ?? '', client_id: sandbox.clientId, client_secret: sandbox.clientSecret, redirect_uri: 'http://127.0.0.1:9/elsewhere' });
    assert.deepEqual([otherRedirect.status, otherRedirect.body.error], [400, 'redirect_uri_mismatch']);
  });

  const jwt = async (claims: { aud?: string; expIn?: number; sub?: string; iss?: string }, pem = privatePem) => {
    const now = Math.floor(Date.now() / 1000);
    return new SignJWT({})
      .setProtectedHeader({ alg: 'RS256' })
      .setIssuer(claims.iss ?? consumerKey)
      .setSubject(claims.sub ?? 'rep@telltale.sandbox')
      .setAudience(claims.aud ?? sandbox.url)
      .setExpirationTime(now + (claims.expIn ?? 120))
      .sign(await importPKCS8(pem, 'RS256'));
  };
  const bearer = async (assertion: string) => token({ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion });

  it('grants a JWT signed with the uploaded certificate, for its audience, expiring within three minutes', async () => {
    const ok = await bearer(await jwt({}));
    assert.equal(ok.status, 200);
    assert.equal(ok.body.refresh_token, undefined, 'no refresh token in the JWT bearer flow');
    const cases: Array<[string, Promise<string>, string]> = [
      ['wrong audience', jwt({ aud: 'https://login.salesforce.com' }), 'invalid_grant'],
      ['exp four minutes away', jwt({ expIn: 240 }), 'invalid_grant'],
      ['expired', jwt({ expIn: -5 }), 'invalid_grant'],
      ['unknown user', jwt({ sub: 'nobody@telltale.sandbox' }), 'invalid_grant'],
      ['unknown consumer key', jwt({ iss: 'not-an-app' }), 'invalid_client_id'],
      ['another key', jwt({}, generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()), 'invalid_grant'],
    ];
    for (const [what, assertion, error] of cases) {
      const res = await bearer(await assertion);
      assert.deepEqual([res.status, res.body.error], [400, error], what);
    }
  });
});
