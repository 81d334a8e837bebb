import assert from 'node:assert/strict';
import { createSign, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { describe, it } from 'node:test';
import { PubSubPushVerifier } from '../src/gmail/pubsub-push-verifier';

const AUDIENCE = 'https://telltale.example/v1/push/gmail';
const ACCOUNT = 'gmail-push@telltale-prod.iam.gserviceaccount.com';
const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const other = generateKeyPairSync('rsa', { modulusLength: 2048 });

/** An RS256 JWT shaped like the OIDC token Pub/Sub attaches to authenticated pushes. */
function jwt(claims: Record<string, unknown>, key: KeyObject = privateKey, kid = 'k1'): string {
  const encode = (v: unknown): string => Buffer.from(JSON.stringify(v)).toString('base64url');
  const now = Math.floor(Date.now() / 1_000);
  const body = `${encode({ alg: 'RS256', kid, typ: 'JWT' })}.${encode({ iss: 'https://accounts.google.com', aud: AUDIENCE, email: ACCOUNT, email_verified: true, iat: now, exp: now + 3_600, sub: '1234', ...claims })}`;
  return `${body}.${createSign('RSA-SHA256').update(body).sign(key).toString('base64url')}`;
}

describe('PubSubPushVerifier', () => {
  const certs = async (): Promise<Record<string, string>> => ({ k1: publicKey.export({ type: 'spki', format: 'pem' }).toString() });
  const verifier = new PubSubPushVerifier({ token: 'a-long-shared-secret-123', oidc: { audience: AUDIENCE, serviceAccountEmail: ACCOUNT, certs } });
  const now = Math.floor(Date.now() / 1_000);
  const cases: { name: string; authorization?: string; token?: string; genuine: boolean }[] = [
    { name: 'OIDC token from our push service account', authorization: `Bearer ${jwt({})}`, genuine: true },
    { name: 'OIDC token for another audience', authorization: `Bearer ${jwt({ aud: 'https://evil.example/' })}`, genuine: false },
    { name: 'OIDC token of another service account', authorization: `Bearer ${jwt({ email: 'someone@else.iam.gserviceaccount.com' })}`, genuine: false },
    { name: 'OIDC token with unverified email', authorization: `Bearer ${jwt({ email_verified: false })}`, genuine: false },
    { name: 'expired OIDC token', authorization: `Bearer ${jwt({ iat: now - 7_200, exp: now - 3_600 })}`, genuine: false },
    { name: 'OIDC token signed by someone else', authorization: `Bearer ${jwt({}, other.privateKey)}`, genuine: false },
    { name: 'wrong issuer', authorization: `Bearer ${jwt({ iss: 'https://login.example' })}`, genuine: false },
    { name: 'endpoint URL token', token: 'a-long-shared-secret-123', genuine: true },
    { name: 'wrong endpoint URL token', token: 'a-long-shared-secret-124', genuine: false },
    { name: 'nothing at all', genuine: false },
  ];
  for (const c of cases) {
    it(`${c.name} → ${c.genuine ? 'accepted' : 'refused'}`, async () => {
      assert.equal((await verifier.verify(c.authorization, c.token)).genuine, c.genuine);
    });
  }

  it('refuses everything when nothing is configured', async () => {
    assert.deepEqual(await new PubSubPushVerifier({}).verify(`Bearer ${jwt({})}`, 'x'), { genuine: false, why: 'push verification is not configured' });
  });
});
