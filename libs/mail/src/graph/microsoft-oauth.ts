import { createHash, randomBytes } from 'node:crypto';
import { Agent, request as httpsRequest } from 'node:https';
import { z } from 'zod';

import type { AccessToken } from '../access-token-source';
import { MailProviderError } from '../mail-provider-error';
import { mapGraphError } from './graph-error-mapper';

/**
 * Delegated permissions for reply tracking and sending (Microsoft identity platform scopes):
 * offline_access for a refresh token, Mail.ReadWrite for delta sync and drafts, Mail.Send to send,
 * User.Read for the mailbox's own address.
 */
export const MICROSOFT_SCOPES = ['offline_access', 'https://graph.microsoft.com/Mail.ReadWrite', 'https://graph.microsoft.com/Mail.Send', 'https://graph.microsoft.com/User.Read'] as const;

export interface MicrosoftOAuthOptions {
  clientId: string;
  clientSecret: string;
  redirectUri: string;
  /** e.g. https://login.microsoftonline.com/common (multi-tenant); a local fake in tests. */
  authority?: string;
  /** Extra CA (PEM) for a local fake. */
  ca?: string;
  now?: () => Date;
}

export interface MicrosoftGrant extends AccessToken {
  refreshToken: string;
  scopes: string[];
}

const tokenResponse = z.looseObject({ access_token: z.string().min(1), refresh_token: z.string().min(1).optional(), expires_in: z.coerce.number().positive(), scope: z.string().optional() });

/** Authorization-code flow with PKCE (RFC 7636, S256) against the Microsoft identity platform v2.0 endpoints. */
export class MicrosoftOAuth {
  private readonly authority: string;
  private readonly agent: Agent | undefined;
  private readonly now: () => Date;

  constructor(private readonly options: MicrosoftOAuthOptions) {
    this.authority = (options.authority ?? 'https://login.microsoftonline.com/common').replace(/\/$/, '');
    this.agent = options.ca ? new Agent({ ca: options.ca, keepAlive: true }) : undefined;
    this.now = options.now ?? (() => new Date());
  }

  start(state: string, loginHint?: string): { url: string; codeVerifier: string } {
    const codeVerifier = randomBytes(32).toString('base64url');
    const challenge = createHash('sha256').update(codeVerifier).digest('base64url');
    const url = new URL(`${this.authority}/oauth2/v2.0/authorize`);
    url.search = new URLSearchParams({
      client_id: this.options.clientId,
      response_type: 'code',
      redirect_uri: this.options.redirectUri,
      response_mode: 'query',
      scope: MICROSOFT_SCOPES.join(' '),
      state,
      code_challenge: challenge,
      code_challenge_method: 'S256',
      ...(loginHint ? { login_hint: loginHint } : {}),
    }).toString();
    return { url: url.toString(), codeVerifier };
  }

  async exchange(code: string, codeVerifier: string): Promise<MicrosoftGrant> {
    const token = await this.token({ grant_type: 'authorization_code', code, code_verifier: codeVerifier, redirect_uri: this.options.redirectUri });
    if (!token.refresh_token) throw new MailProviderError('Microsoft returned no refresh token (offline_access not granted)', { code: 'INSUFFICIENT_PERMISSIONS', provider: 'graph' });
    return { accessToken: token.access_token, refreshToken: token.refresh_token, expiresAt: new Date(this.now().getTime() + token.expires_in * 1_000), scopes: (token.scope ?? '').split(' ').filter(Boolean) };
  }

  /** Microsoft rotates refresh tokens: store the returned one (callers serialize refreshes per mailbox). */
  async refresh(refreshToken: string): Promise<AccessToken & { refreshToken?: string }> {
    const token = await this.token({ grant_type: 'refresh_token', refresh_token: refreshToken, scope: MICROSOFT_SCOPES.join(' ') });
    return { accessToken: token.access_token, expiresAt: new Date(this.now().getTime() + token.expires_in * 1_000), ...(token.refresh_token ? { refreshToken: token.refresh_token } : {}) };
  }

  private async token(fields: Record<string, string>): Promise<z.infer<typeof tokenResponse>> {
    const body = new URLSearchParams({ client_id: this.options.clientId, client_secret: this.options.clientSecret, ...fields }).toString();
    const { status, text } = await new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = httpsRequest(
        `${this.authority}/oauth2/v2.0/token`,
        { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', 'content-length': String(Buffer.byteLength(body)) }, ...(this.agent ? { agent: this.agent } : {}) },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
          res.on('error', reject);
        },
      );
      req.on('error', (err) => reject(mapGraphError(err, this.now())));
      req.end(body);
    });
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      json = text;
    }
    if (status !== 200) throw mapGraphError({ status, body: json, message: `token endpoint answered ${status}` }, this.now());
    const parsed = tokenResponse.safeParse(json);
    if (!parsed.success) throw new MailProviderError('Microsoft token endpoint answered without an access token', { code: 'TEMPORARY', provider: 'graph' });
    return parsed.data;
  }
}
