import { OAuth2Client } from 'google-auth-library';

import type { AccessToken } from '../access-token-source';
import { MailProviderError } from '../mail-provider-error';
import { mapGmailError } from './gmail-error-mapper';

/**
 * Least scopes for reply tracking and sending: read mail (sync, history, watch) and send.
 * gmail.readonly does not cover send, gmail.send does not cover reading; no modify/compose needed.
 */
export const GMAIL_SCOPES = ['https://www.googleapis.com/auth/gmail.readonly', 'https://www.googleapis.com/auth/gmail.send'] as const;

export interface GoogleOAuthOptions {
  clientId: string;
  clientSecret: string;
  redirectUri: string;
  /** Authorization and token endpoints; tests point them at a local server. */
  authBaseUrl?: string;
  tokenUrl?: string;
  revokeUrl?: string;
  now?: () => Date;
}

export interface GoogleAuthorizationStart {
  url: string;
  /** Keep server-side with the state until the callback (RFC 7636 §4.1); never send it to the browser. */
  codeVerifier: string;
}

export interface GoogleGrant extends AccessToken {
  refreshToken: string;
  scopes: string[];
}

/** Authorization-code flow with PKCE (S256) and offline access, on google-auth-library's OAuth2Client. */
export class GoogleOAuth {
  private readonly client: OAuth2Client;
  private readonly now: () => Date;

  constructor(private readonly options: GoogleOAuthOptions) {
    this.now = options.now ?? (() => new Date());
    this.client = this.newClient();
  }

  /** A client per refresh, since OAuth2Client keeps one mailbox's credentials on itself. */
  private newClient(): OAuth2Client {
    const options = this.options;
    return new OAuth2Client({
      clientId: options.clientId,
      clientSecret: options.clientSecret,
      redirectUri: options.redirectUri,
      endpoints: {
        ...(options.authBaseUrl ? { oauth2AuthBaseUrl: options.authBaseUrl } : {}),
        ...(options.tokenUrl ? { oauth2TokenUrl: options.tokenUrl } : {}),
        ...(options.revokeUrl ? { oauth2RevokeUrl: options.revokeUrl } : {}),
      },
    });
  }

  async start(state: string, loginHint?: string): Promise<GoogleAuthorizationStart> {
    const { codeVerifier, codeChallenge } = await this.client.generateCodeVerifierAsync();
    if (!codeChallenge) throw new Error('PKCE code challenge missing');
    const url = this.client.generateAuthUrl({
      access_type: 'offline',
      // consent makes Google issue a refresh token again when the user reconnects.
      prompt: 'consent',
      include_granted_scopes: false,
      scope: [...GMAIL_SCOPES],
      state,
      code_challenge_method: 'S256' as never,
      code_challenge: codeChallenge,
      ...(loginHint ? { login_hint: loginHint } : {}),
    });
    return { url, codeVerifier };
  }

  async exchange(code: string, codeVerifier: string): Promise<GoogleGrant> {
    try {
      const { tokens } = await this.client.getToken({ code, codeVerifier });
      if (!tokens.access_token || !tokens.refresh_token) throw new MailProviderError('Google returned no refresh token (offline access not granted)', { code: 'INSUFFICIENT_PERMISSIONS', provider: 'gmail' });
      const scopes = (tokens.scope ?? '').split(' ').filter(Boolean);
      const missing = GMAIL_SCOPES.filter((s) => scopes.length > 0 && !scopes.includes(s));
      if (missing.length) throw new MailProviderError(`Google grant lacks ${missing.join(', ')}`, { code: 'INSUFFICIENT_PERMISSIONS', provider: 'gmail' });
      return { accessToken: tokens.access_token, refreshToken: tokens.refresh_token, expiresAt: this.expiry(tokens.expiry_date), scopes };
    } catch (err) {
      throw mapGmailError(err, 'other', this.now());
    }
  }

  /** One refresh; callers serialize through RefreshingAccessTokenSource. invalid_grant → AUTH_REVOKED. */
  async refresh(refreshToken: string): Promise<AccessToken & { refreshToken?: string }> {
    try {
      const client = this.newClient();
      client.setCredentials({ refresh_token: refreshToken });
      // With only a refresh token set, getAccessToken() performs exactly one refresh_token grant.
      const { token } = await client.getAccessToken();
      if (!token) throw new MailProviderError('Google refresh returned no access token', { code: 'TEMPORARY', provider: 'gmail' });
      const rotated = client.credentials.refresh_token;
      return { accessToken: token, expiresAt: this.expiry(client.credentials.expiry_date), ...(rotated && rotated !== refreshToken ? { refreshToken: rotated } : {}) };
    } catch (err) {
      throw mapGmailError(err, 'other', this.now());
    }
  }

  /**
   * Revokes a token at Google (POST oauth2RevokeUrl?token=…, https://developers.google.com/identity/protocols/oauth2/web-server#tokenrevoke).
   * Revoking a refresh token also revokes the access tokens issued from it. Google answers 400
   * `invalid_token` for a token already revoked or expired, which counts as done. One attempt, no retries.
   */
  async revoke(token: string, options: { timeoutMs?: number } = {}): Promise<void> {
    const client = this.newClient();
    try {
      await client.transporter.request({
        url: client.getRevokeTokenURL(token).toString(),
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        retry: false,
        timeout: options.timeoutMs ?? 10_000,
      });
    } catch (err) {
      const data = (err as { response?: { status?: number; data?: { error?: unknown } } }).response;
      if (data?.status === 400 && data.data?.error === 'invalid_token') return;
      throw mapGmailError(err, 'other', this.now());
    }
  }

  private expiry(expiryDate: number | null | undefined): Date {
    return new Date(expiryDate ?? this.now().getTime() + 3_600_000);
  }
}
