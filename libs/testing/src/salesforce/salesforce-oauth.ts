import { createHash, createHmac, createPublicKey, randomBytes, verify, type KeyObject } from 'node:crypto';

/**
 * The org's login service: connected apps, users and the OAuth 2.0 token endpoint
 * (Salesforce Help, "OAuth 2.0 Username-Password Flow", "OAuth 2.0 Refresh Token
 * Flow", "OAuth 2.0 Client Credentials Flow", "OAuth 2.0 Web Server Flow for Web App
 * Integration", "OAuth 2.0 JWT Bearer Flow for Server-to-Server Integration"). Failures answer 400
 * with `{ error, error_description }`, as the token endpoint does.
 */

export interface SandboxUser {
  username: string;
  password: string;
  /** The connected app this user logs in through; defaults to the sandbox's own app. */
  clientId?: string;
  clientSecret?: string;
}

export interface ConnectedApp {
  clientId: string;
  clientSecret: string;
  /** The certificate uploaded for the JWT bearer flow ("Use digital signatures"). */
  certificate?: KeyObject;
}

/** An authorization code the authorize page issued: single use, bound to its app, redirect URI and PKCE challenge. */
interface AuthorizationCode {
  userId: string;
  clientId: string;
  redirectUri: string;
  codeChallenge: string | null;
  expiresAt: number;
}

export type AuthorizeResult = { status: 302; location: string } | { status: 400; body: { error: string; error_description: string } };

/** Salesforce: authorization codes are valid for 15 minutes; a JWT's exp at most 3 minutes ahead. */
const CODE_LIFETIME_MS = 15 * 60_000;
const JWT_MAX_LIFETIME_S = 180;
export const JWT_BEARER_GRANT_TYPE = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

export interface RegisteredUser {
  userId: string;
  username: string;
  password: string;
  app: ConnectedApp;
}

export interface TokenGrant {
  userId: string;
}

export type TokenEndpointResult =
  | { status: 200; body: Record<string, string> }
  | { status: 400; body: { error: string; error_description: string } };

export const SANDBOX_CONNECTED_APP: ConnectedApp = {
  clientId: 'telltale-sandbox-client-id',
  clientSecret: 'telltale-sandbox-client-secret',
};

const fail = (error: string, description: string): TokenEndpointResult => ({
  status: 400,
  body: { error, error_description: description },
});

export class SalesforceOAuth {
  private readonly users = new Map<string, RegisteredUser>();
  private readonly apps = new Map<string, ConnectedApp>([[SANDBOX_CONNECTED_APP.clientId, SANDBOX_CONNECTED_APP]]);
  private readonly accessTokens = new Map<string, TokenGrant>();
  private readonly refreshTokens = new Map<string, TokenGrant & { clientId: string }>();
  private readonly codes = new Map<string, AuthorizationCode>();
  private readonly revokedJwtUsers = new Set<string>();

  constructor(
    private readonly organizationId: string,
    private readonly instanceUrl: () => string,
    private readonly now: () => Date,
  ) {}

  registerUser(user: SandboxUser, userId: string): void {
    const app =
      user.clientId !== undefined
        ? { clientId: user.clientId, clientSecret: user.clientSecret ?? '' }
        : SANDBOX_CONNECTED_APP;
    this.apps.set(app.clientId, app);
    this.users.set(user.username.toLowerCase(), { userId, username: user.username, password: user.password, app });
  }

  findUser(username: string): RegisteredUser | undefined {
    return this.users.get(username.toLowerCase());
  }

  setPassword(username: string, password: string): void {
    const user = this.findUser(username);
    if (!user) throw new Error(`no sandbox user ${username}`);
    user.password = password;
  }

  /** "Use digital signatures": the connected app with this consumer key verifies JWTs with the certificate (PEM). */
  registerJwtApp(consumerKey: string, certificatePem: string): void {
    const certificate = createPublicKey(certificatePem);
    const existing = this.apps.get(consumerKey);
    this.apps.set(consumerKey, { clientId: consumerKey, clientSecret: existing?.clientSecret ?? randomBytes(16).toString('hex'), certificate });
  }

  /**
   * GET /services/oauth2/authorize: the consent page, approved at once by a sandbox user (the
   * `login_hint` user, else the first), redirecting to `redirect_uri` with `code` and `state`.
   * Errors the client can be told about go back to the redirect URI as `error`; an unknown client
   * or a malformed request is answered on the page itself (400).
   */
  authorize(query: URLSearchParams): AuthorizeResult {
    const app = this.apps.get(query.get('client_id') ?? '');
    if (!app) return fail('invalid_client_id', 'client identifier invalid') as AuthorizeResult;
    const redirectUri = query.get('redirect_uri') ?? '';
    if (!/^https?:\/\//.test(redirectUri)) return fail('redirect_uri_mismatch', 'redirect_uri must match configuration') as AuthorizeResult;
    const back = (params: Record<string, string>): AuthorizeResult => {
      const url = new URL(redirectUri);
      for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
      const state = query.get('state');
      if (state !== null) url.searchParams.set('state', state);
      return { status: 302, location: url.toString() };
    };
    if (query.get('response_type') !== 'code') return back({ error: 'unsupported_response_type', error_description: 'response type not supported' });
    const challenge = query.get('code_challenge');
    const method = query.get('code_challenge_method');
    // RFC 7636 §4.2: a challenge is 43–128 characters of base64url; Salesforce hashes with SHA-256 only.
    if (challenge !== null && (!/^[A-Za-z0-9_-]{43,128}$/.test(challenge) || (method !== null && method !== 'S256'))) {
      return back({ error: 'invalid_request', error_description: 'invalid code_challenge' });
    }
    const hint = query.get('login_hint');
    const user = (hint ? this.findUser(hint) : undefined) ?? [...this.users.values()][0];
    if (!user) return back({ error: 'access_denied', error_description: 'end-user denied authorization' });
    const code = `aPr${randomBytes(32).toString('base64url')}`;
    this.codes.set(code, { userId: user.userId, clientId: app.clientId, redirectUri, codeChallenge: challenge, expiresAt: this.now().getTime() + CODE_LIFETIME_MS });
    return back({ code });
  }

  /** Answers POST /services/oauth2/token for the given form fields. */
  token(params: URLSearchParams): TokenEndpointResult {
    const grantType = params.get('grant_type');
    if (!grantType) return fail('invalid_request', 'grant type is missing');
    if (grantType === JWT_BEARER_GRANT_TYPE) return this.jwtBearer(params.get('assertion') ?? '');
    const app = this.apps.get(params.get('client_id') ?? '');
    if (!app) return fail('invalid_client_id', 'client identifier invalid');
    const secret = params.get('client_secret');
    switch (grantType) {
      case 'password': {
        if (secret !== app.clientSecret) return fail('invalid_client', 'invalid client credentials');
        const user = this.findUser(params.get('username') ?? '');
        // The password may carry the user's security token appended; the sandbox has none.
        if (!user || user.password !== params.get('password') || user.app.clientId !== app.clientId) {
          return fail('invalid_grant', 'authentication failure');
        }
        // "No refresh token is issued" in the username-password flow.
        return this.issue(user.userId, app);
      }
      case 'refresh_token': {
        if (secret !== null && secret !== app.clientSecret) return fail('invalid_client', 'invalid client credentials');
        const grant = this.refreshTokens.get(params.get('refresh_token') ?? '');
        if (!grant || grant.clientId !== app.clientId) return fail('invalid_grant', 'expired access/refresh token');
        // Without refresh token rotation, the response carries no new refresh token.
        return this.issue(grant.userId, app);
      }
      case 'authorization_code': {
        if (secret !== app.clientSecret) return fail('invalid_client', 'invalid client credentials');
        const code = params.get('code') ?? '';
        const issued = this.codes.get(code);
        // Single use: whatever the outcome, the code is spent.
        this.codes.delete(code);
        if (!issued || issued.clientId !== app.clientId || issued.expiresAt < this.now().getTime()) return fail('invalid_grant', 'invalid authorization code');
        if (issued.redirectUri !== params.get('redirect_uri')) return fail('redirect_uri_mismatch', 'redirect_uri must match configuration');
        if (issued.codeChallenge !== null) {
          const verifier = params.get('code_verifier');
          // Salesforce Help: a challenge without a verifier is invalid_grant; one that does not match, invalid_request.
          if (verifier === null) return fail('invalid_grant', 'code verifier missing');
          if (createHash('sha256').update(verifier).digest('base64url') !== issued.codeChallenge) return fail('invalid_request', 'invalid code verifier');
        }
        const refreshToken = `5Aep${randomBytes(32).toString('base64url')}`;
        this.refreshTokens.set(refreshToken, { userId: issued.userId, clientId: app.clientId });
        const result = this.issue(issued.userId, app);
        if (result.status === 200) result.body.refresh_token = refreshToken;
        return result;
      }
      case 'client_credentials': {
        if (secret !== app.clientSecret) return fail('invalid_client', 'invalid client credentials');
        const runAs = [...this.users.values()].find((u) => u.app.clientId === app.clientId);
        if (!runAs) return fail('invalid_grant', 'no client credentials user enabled');
        return this.issue(runAs.userId, app);
      }
      default:
        return fail('unsupported_grant_type', 'grant type not supported');
    }
  }

  /** POST /services/oauth2/revoke: revoking a refresh token also ends its access tokens. */
  revoke(token: string): boolean {
    const refresh = this.refreshTokens.get(token);
    if (refresh) {
      this.refreshTokens.delete(token);
      for (const [access, grant] of this.accessTokens) if (grant.userId === refresh.userId) this.accessTokens.delete(access);
      return true;
    }
    return this.accessTokens.delete(token);
  }

  /** The user a bearer token acts for, or undefined when it is unknown, expired or revoked. */
  authenticate(accessToken: string): TokenGrant | undefined {
    return this.accessTokens.get(accessToken);
  }

  /**
   * A refresh token as the web server flow would have issued it after the user
   * approved the app; tests use it to exercise the refresh-token flow.
   */
  issueRefreshToken(username: string): string {
    const user = this.findUser(username);
    if (!user) throw new Error(`no sandbox user ${username}`);
    const token = `5Aep${randomBytes(32).toString('base64url')}`;
    this.refreshTokens.set(token, { userId: user.userId, clientId: user.app.clientId });
    return token;
  }

  /** Sessions time out; refresh tokens stay valid. */
  expireAccessTokens(): void {
    this.accessTokens.clear();
  }

  /** An admin revoked the app's access: every session and refresh token ends. */
  revokeAllTokens(): void {
    this.accessTokens.clear();
    this.refreshTokens.clear();
    this.codes.clear();
  }

  /**
   * The JWT bearer grant: an RS256 JWT from a connected app with a certificate, iss its consumer
   * key, sub a user of the org, aud this login host, exp in the future and at most three minutes
   * away. No refresh token is issued.
   */
  private jwtBearer(assertion: string): TokenEndpointResult {
    const parts = assertion.split('.');
    if (parts.length !== 3) return fail('invalid_grant', 'invalid assertion');
    const [headerPart, claimsPart, signaturePart] = parts as [string, string, string];
    let header: { alg?: unknown };
    let claims: { iss?: unknown; sub?: unknown; aud?: unknown; exp?: unknown };
    try {
      header = JSON.parse(Buffer.from(headerPart, 'base64url').toString('utf8')) as typeof header;
      claims = JSON.parse(Buffer.from(claimsPart, 'base64url').toString('utf8')) as typeof claims;
    } catch {
      return fail('invalid_grant', 'invalid assertion');
    }
    if (header.alg !== 'RS256') return fail('invalid_grant', 'invalid assertion: algorithm must be RS256');
    const app = typeof claims.iss === 'string' ? this.apps.get(claims.iss) : undefined;
    if (!app) return fail('invalid_client_id', 'client identifier invalid');
    if (!app.certificate) return fail('invalid_client', 'the connected app has no certificate for digital signatures');
    const signed = verify('RSA-SHA256', Buffer.from(`${headerPart}.${claimsPart}`), app.certificate, Buffer.from(signaturePart, 'base64url'));
    if (!signed) return fail('invalid_grant', 'invalid assertion: signature does not match the certificate');
    const audiences = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
    if (!audiences.includes(this.instanceUrl())) return fail('invalid_grant', 'audience is invalid');
    const nowS = Math.floor(this.now().getTime() / 1000);
    if (typeof claims.exp !== 'number' || claims.exp <= nowS) return fail('invalid_grant', 'expired authorization code');
    if (claims.exp > nowS + JWT_MAX_LIFETIME_S) return fail('invalid_grant', 'invalid assertion: exp is more than 3 minutes away');
    const user = typeof claims.sub === 'string' ? this.findUser(claims.sub) : undefined;
    if (!user) return fail('invalid_grant', 'user hasn\'t approved this consumer');
    if (this.revokedJwtUsers.has(user.userId)) return fail('invalid_grant', 'user hasn\'t approved this consumer');
    return this.issue(user.userId, app);
  }

  /** The admin removed the user's pre-authorization of JWT apps: their next JWT grant is refused. */
  revokeJwtAuthorization(username: string): void {
    const user = this.findUser(username);
    if (!user) throw new Error(`no sandbox user ${username}`);
    this.revokedJwtUsers.add(user.userId);
    for (const [access, grant] of this.accessTokens) if (grant.userId === user.userId) this.accessTokens.delete(access);
  }

  private issue(userId: string, app: ConnectedApp): TokenEndpointResult {
    const accessToken = `${this.organizationId}!${randomBytes(48).toString('base64url')}`;
    this.accessTokens.set(accessToken, { userId });
    const id = `${this.instanceUrl()}/id/${this.organizationId}/${userId}`;
    const issuedAt = String(this.now().getTime());
    // The signature is HMAC-SHA256 over the identity URL and issued_at, keyed with the
    // consumer secret, so the client can check the id URL was not tampered with.
    const signature = createHmac('sha256', app.clientSecret).update(id + issuedAt).digest('base64');
    const body = {
      access_token: accessToken,
      instance_url: this.instanceUrl(),
      id,
      token_type: 'Bearer',
      issued_at: issuedAt,
      signature,
      scope: 'api',
    };
    return { status: 200, body };
  }
}
