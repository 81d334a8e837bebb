import { createHmac, randomBytes } from 'node:crypto';

/**
 * The org's login service: connected apps, users and the OAuth 2.0 token endpoint
 * (Salesforce Help, "OAuth 2.0 Username-Password Flow", "OAuth 2.0 Refresh Token
 * Flow", "OAuth 2.0 Client Credentials Flow"). Failures answer 400 with
 * `{ error, error_description }`, as the token endpoint does.
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
}

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

  /** Answers POST /services/oauth2/token for the given form fields. */
  token(params: URLSearchParams): TokenEndpointResult {
    const grantType = params.get('grant_type');
    if (!grantType) return fail('invalid_request', 'grant type is missing');
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
