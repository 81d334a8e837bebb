import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import * as oidc from 'openid-client';
import {
  CookieJar,
  SANDBOX_PASSWORD,
  SANDBOX_USERS,
  SandboxHttpError,
  SignInRefusedError,
  sandboxOptionsFromEnv,
  sandboxSubject,
  signInOverHttp,
  signOutOverHttp,
  startSandboxIssuer,
  type SandboxClient,
  type SandboxIssuer,
} from '../src';

/**
 * The sandbox issuer against the real openid-client 6 as relying party: discovery, authorization
 * code + PKCE + state + nonce, the sign-in form driven over HTTP, ID-token validation, logout.
 */

const REDIRECT_URI = 'http://127.0.0.1:3000/auth/callback';
const SIGNED_OUT_URI = 'http://127.0.0.1:3000/signed-out';
const SECRET = randomBytes(24).toString('base64url');

const CLIENTS: SandboxClient[] = [
  { clientId: 'telltale-app', clientSecret: SECRET, redirectUris: [REDIRECT_URI], postLogoutRedirectUris: [SIGNED_OUT_URI] },
  { clientId: 'telltale-basic', clientSecret: SECRET, tokenEndpointAuthMethod: 'client_secret_basic', redirectUris: [REDIRECT_URI] },
  { clientId: 'telltale-public', redirectUris: [REDIRECT_URI] },
];

const SAM = SANDBOX_USERS.find((user) => user.email === 'sam@telltale.test')!;

/** openid-client for one of CLIENTS, allowed to speak plain HTTP to 127.0.0.1. */
function relyingParty(issuer: SandboxIssuer, clientId = 'telltale-app'): Promise<oidc.Configuration> {
  const auth =
    clientId === 'telltale-basic' ? oidc.ClientSecretBasic(SECRET) : clientId === 'telltale-public' ? oidc.None() : undefined;
  const secret = clientId === 'telltale-public' ? undefined : SECRET;
  return oidc.discovery(new URL(issuer.issuer), clientId, secret, auth, { execute: [oidc.allowInsecureRequests] });
}

interface StartedSignIn {
  url: URL;
  verifier: string;
  state: string;
  nonce: string;
}

async function authorizationRequest(config: oidc.Configuration, extra: Record<string, string> = {}): Promise<StartedSignIn> {
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const nonce = oidc.randomNonce();
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: REDIRECT_URI,
    scope: 'openid email profile',
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    nonce,
    ...extra,
  });
  return { url, verifier, state, nonce };
}

function tokens(config: oidc.Configuration, started: StartedSignIn, callbackUrl: URL, verifier = started.verifier) {
  return oidc.authorizationCodeGrant(config, callbackUrl, {
    pkceCodeVerifier: verifier,
    expectedState: started.state,
    expectedNonce: started.nonce,
    idTokenExpected: true,
  });
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof Error);
    return error;
  }
  assert.fail('expected a rejection');
}

describe('sandbox issuer', () => {
  let issuer: SandboxIssuer;
  let app: oidc.Configuration;

  before(async () => {
    issuer = await startSandboxIssuer({ port: 0, users: SANDBOX_USERS, clients: CLIENTS });
    app = await relyingParty(issuer);
  });
  after(async () => {
    await issuer.stop();
  });

  it('is discovered as an OpenID provider that only does the code flow with S256 PKCE', () => {
    const metadata = app.serverMetadata();
    assert.equal(metadata.issuer, issuer.issuer);
    assert.match(issuer.issuer, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.deepEqual(metadata.response_types_supported, ['code']);
    assert.deepEqual(metadata.code_challenge_methods_supported, ['S256']);
    assert.deepEqual(metadata.scopes_supported, ['openid', 'email', 'profile']);
    assert.deepEqual(metadata.grant_types_supported, ['authorization_code'], 'no refresh tokens');
    assert.ok(metadata.end_session_endpoint);
  });

  it('signs sam@ in: an ID token with email, email_verified, name and the nonce', async () => {
    const started = await authorizationRequest(app);
    const { callbackUrl, formShown } = await signInOverHttp({ authorizationUrl: started.url, email: SAM.email, password: SAM.password });
    assert.ok(formShown);
    assert.equal(`${callbackUrl.origin}${callbackUrl.pathname}`, REDIRECT_URI);
    assert.ok(callbackUrl.searchParams.get('code'));

    const result = await tokens(app, started, callbackUrl);
    const claims = result.claims();
    assert.ok(claims);
    assert.equal(claims.iss, issuer.issuer);
    assert.equal(claims.aud, 'telltale-app');
    assert.equal(claims.sub, sandboxSubject(SAM.email));
    assert.equal(claims.email, 'sam@telltale.test');
    assert.equal(claims.email_verified, true);
    assert.equal(claims.name, SAM.name);
    assert.equal(claims.nonce, started.nonce);
    assert.equal(result.refresh_token, undefined);
    assert.ok(result.expiresIn()! <= 600, 'access tokens are short-lived');

    const userinfo = await oidc.fetchUserInfo(app, result.access_token, claims.sub);
    assert.equal(userinfo.email, 'sam@telltale.test');
  });

  it('re-shows the form with an error for a wrong password, never a code', async () => {
    const started = await authorizationRequest(app);
    const error = await rejection(signInOverHttp({ authorizationUrl: started.url, email: SAM.email, password: 'not-the-password' }));
    assert.ok(error instanceof SignInRefusedError, String(error));
    assert.equal(error.status, 200);
    assert.match(error.formError, /do not match/);
    assert.match(error.body, /<form id="sign-in"/);
    assert.doesNotMatch(error.body, /code=/);
    assert.match(error.body, /value="sam@telltale\.test"/, 'the email is kept in the form');

    const unknown = await rejection(signInOverHttp({ authorizationUrl: started.url, email: 'nobody@telltale.test', password: SANDBOX_PASSWORD }));
    assert.ok(unknown instanceof SignInRefusedError);
  });

  it('escapes what it echoes into the form', async () => {
    const started = await authorizationRequest(app, { login_hint: '"><script>alert(1)</script>' });
    const error = await rejection(
      signInOverHttp({ authorizationUrl: started.url, email: '"><img src=x onerror=alert(1)>', password: 'x' }),
    );
    assert.ok(error instanceof SignInRefusedError);
    assert.doesNotMatch(error.body, /<img src=x/);
    assert.match(error.body, /value="&quot;&gt;&lt;img src=x onerror=alert\(1\)&gt;"/);
  });

  it('refuses a code redeemed with another PKCE verifier, and a request without PKCE', async () => {
    const started = await authorizationRequest(app);
    const { callbackUrl } = await signInOverHttp({ authorizationUrl: started.url, email: SAM.email, password: SAM.password });
    const error = await rejection(tokens(app, started, callbackUrl, oidc.randomPKCECodeVerifier()));
    assert.ok(error instanceof oidc.ResponseBodyError, String(error));
    assert.equal(error.error, 'invalid_grant');

    const withoutPkce = oidc.buildAuthorizationUrl(app, {
      redirect_uri: REDIRECT_URI,
      scope: 'openid email',
      state: oidc.randomState(),
    });
    const refused = await signInOverHttp({ authorizationUrl: withoutPkce, email: SAM.email, password: SAM.password });
    assert.equal(refused.callbackUrl.searchParams.get('error'), 'invalid_request');
    assert.match(refused.callbackUrl.searchParams.get('error_description') ?? '', /PKCE/);
    assert.equal(refused.callbackUrl.searchParams.get('code'), null);
  });

  it('signs public and client_secret_basic clients in too', async () => {
    for (const clientId of ['telltale-public', 'telltale-basic']) {
      const config = await relyingParty(issuer, clientId);
      const started = await authorizationRequest(config);
      const { callbackUrl } = await signInOverHttp({ authorizationUrl: started.url, email: 'alex@telltale.test', password: SANDBOX_PASSWORD });
      const claims = (await tokens(config, started, callbackUrl)).claims();
      assert.equal(claims?.email, 'alex@telltale.test', clientId);
      assert.equal(claims?.aud, clientId);
    }
  });

  it('keeps a session for single sign-on, and RP-initiated logout ends it and revokes its tokens', async () => {
    const cookies = new CookieJar();
    const first = await authorizationRequest(app);
    const signedIn = await signInOverHttp({ authorizationUrl: first.url, email: SAM.email, password: SAM.password, cookies });
    const result = await tokens(app, first, signedIn.callbackUrl);

    const again = await authorizationRequest(app);
    const sso = await signInOverHttp({ authorizationUrl: again.url, email: SAM.email, password: 'unused', cookies });
    assert.equal(sso.formShown, false, 'the session signs sam in without the form');
    assert.ok(sso.callbackUrl.searchParams.get('code'));

    const state = oidc.randomState();
    const endSessionUrl = oidc.buildEndSessionUrl(app, {
      id_token_hint: result.id_token!,
      post_logout_redirect_uri: SIGNED_OUT_URI,
      state,
    });
    const { redirectUrl } = await signOutOverHttp({ endSessionUrl, cookies });
    assert.equal(`${redirectUrl.origin}${redirectUrl.pathname}`, SIGNED_OUT_URI);
    assert.equal(redirectUrl.searchParams.get('state'), state);

    const revoked = await rejection(oidc.fetchUserInfo(app, result.access_token, oidc.skipSubjectCheck));
    assert.ok(revoked instanceof oidc.WWWAuthenticateChallengeError, String(revoked));
    assert.equal(revoked.status, 401, 'the access token died with the session');
    const after = await authorizationRequest(app);
    const signedOut = await rejection(signInOverHttp({ authorizationUrl: after.url, email: SAM.email, password: 'unused', cookies }));
    assert.ok(signedOut instanceof SignInRefusedError, 'the form is shown again: the session is gone');
  });

  it('sends a cancelled sign-in back to the client as access_denied', async () => {
    const started = await authorizationRequest(app);
    const cookies = new CookieJar();
    const start = await fetch(started.url, { redirect: 'manual' });
    cookies.store(started.url, start);
    const abort = new URL(`${start.headers.get('location') ?? ''}/abort`, issuer.issuer);
    const cancelled = await fetch(abort, { method: 'POST', headers: { cookie: cookies.header(abort) }, redirect: 'manual' });
    assert.equal(cancelled.status, 303);
    cookies.store(abort, cancelled);
    const resume = new URL(cancelled.headers.get('location') ?? '', issuer.issuer);
    const back = await fetch(resume, { headers: { cookie: cookies.header(resume) }, redirect: 'manual' });
    const callbackUrl = new URL(back.headers.get('location') ?? '');
    assert.equal(callbackUrl.searchParams.get('error'), 'access_denied');
    assert.equal(callbackUrl.searchParams.get('state'), started.state);
    const error = await rejection(tokens(app, started, callbackUrl));
    assert.ok(error instanceof oidc.AuthorizationResponseError, String(error));
  });

  it('answers an interaction without its cookie with a 400 page, not a 500', async () => {
    const started = await authorizationRequest(app);
    const first = await fetch(started.url, { redirect: 'manual' });
    const location = first.headers.get('location');
    assert.ok(location !== null && location.startsWith('/interaction/'), String(location));
    const page = await fetch(new URL(location, issuer.issuer));
    assert.equal(page.status, 400);
    assert.match(await page.text(), /expired/);

    const posted = await fetch(new URL(location, issuer.issuer), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'email=sam%40telltale.test&password=x',
    });
    assert.equal(posted.status, 400);
    assert.equal(posted.headers.get('x-content-type-options'), 'nosniff');
  });

  it('shows an error page for an unregistered redirect_uri', async () => {
    const started = await authorizationRequest(app, { redirect_uri: 'http://127.0.0.1:3000/elsewhere' });
    const error = await rejection(signInOverHttp({ authorizationUrl: started.url, email: SAM.email, password: SAM.password }));
    assert.ok(error instanceof SandboxHttpError);
    assert.equal(error.status, 400);
    assert.match(error.body, /redirect_uri/);
  });
});

describe('sandbox issuer start-up', () => {
  it('refuses a client oidc-provider would reject, at start rather than at its first sign-in', async () => {
    const error = await rejection(
      startSandboxIssuer({ users: SANDBOX_USERS, clients: [{ clientId: 'broken', redirectUris: ['not a url'] }] }),
    );
    assert.match(error.message, /sandbox client broken: redirect_uris/);
  });
});

describe('sandbox issuer options from the environment', () => {
  it('reads the port and the clients', () => {
    const options = sandboxOptionsFromEnv({
      OIDC_SANDBOX_PORT: '3011',
      OIDC_SANDBOX_CLIENTS: JSON.stringify([{ clientId: 'telltale-app', clientSecret: 's', redirectUris: [REDIRECT_URI] }]),
    });
    assert.equal(options.port, 3011);
    assert.equal(options.host, '127.0.0.1');
    assert.deepEqual(options.clients, [{ clientId: 'telltale-app', clientSecret: 's', redirectUris: [REDIRECT_URI], postLogoutRedirectUris: [] }]);
    assert.equal(options.users, SANDBOX_USERS);
  });

  it('names what is wrong', () => {
    assert.throws(() => sandboxOptionsFromEnv({}), /OIDC_SANDBOX_CLIENTS is required/);
    assert.throws(() => sandboxOptionsFromEnv({ OIDC_SANDBOX_CLIENTS: '{' }), /not valid JSON/);
    assert.throws(() => sandboxOptionsFromEnv({ OIDC_SANDBOX_CLIENTS: '[{"clientId":"a"}]' }), /\[0\]\.redirectUris/);
    assert.throws(
      () => sandboxOptionsFromEnv({ OIDC_SANDBOX_PORT: 'http', OIDC_SANDBOX_CLIENTS: '[]' }),
      /OIDC_SANDBOX_PORT must be a port number/,
    );
  });
});
