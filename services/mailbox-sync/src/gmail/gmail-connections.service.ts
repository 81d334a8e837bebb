import { BadRequestException, Inject, Injectable, ServiceUnavailableException } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { mapGmailError } from '@telltale/mail';
import { CLOCK, type Clock } from '@telltale/db';
import { ServiceRuntime } from '@telltale/runtime';
import { CredentialCipher } from '../credentials/credential-cipher';
import type { MailboxRow } from '../mailboxes/mailbox-record';
import { MailboxesService } from '../mailboxes/mailboxes.service';
import { OAuthAccessTokens } from '../oauth/oauth-access-tokens';
import { GmailFollowers } from './gmail-followers';
import { GOOGLE_OAUTH, type GoogleOAuthProvider } from './gmail-settings';

/** An authorization left unfinished this long is void (the user abandoned the consent screen). */
const AUTHORIZATION_TTL_MS = 10 * 60_000;

export const StartGoogleAuthorizationRequest = z.object({ loginHint: z.email().max(320).optional() }).strict();

export const GoogleCallbackQuery = z.union([
  z.object({ state: z.string().min(16).max(200), code: z.string().min(1).max(2000) }).loose(),
  z.object({ state: z.string().max(200).optional(), error: z.string().max(200), error_description: z.string().max(2000).optional() }).loose(),
]);

/** Connecting a Gmail mailbox: OAuth 2.0 authorization code + PKCE + offline access. */
@Injectable()
export class GmailConnectionsService {
  constructor(
    private readonly runtime: ServiceRuntime,
    private readonly cipher: CredentialCipher,
    private readonly mailboxes: MailboxesService,
    private readonly tokens: OAuthAccessTokens,
    private readonly followers: GmailFollowers,
    @Inject(GOOGLE_OAUTH) private readonly oauth: GoogleOAuthProvider,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  private requireOAuth(): NonNullable<GoogleOAuthProvider> {
    if (!this.oauth) throw new ServiceUnavailableException({ error: 'gmail_not_configured', message: 'This deployment has no Google OAuth client (GOOGLE_CLIENT_ID).' });
    return this.oauth;
  }

  async start(orgId: string, loginHint: string | undefined): Promise<{ authorizationUrl: string; state: string; expiresAt: string }> {
    const oauth = this.requireOAuth();
    await this.purgeExpired();
    const state = randomBytes(24).toString('base64url');
    const { url, codeVerifier } = await oauth.start(state, loginHint);
    const sealed = this.cipher.encrypt(codeVerifier, state);
    const now = this.clock.now();
    const expiresAt = new Date(now.getTime() + AUTHORIZATION_TTL_MS);
    await this.runtime.dataSource.query(
      `INSERT INTO mailbox_sync.oauth_authorization (state, org_id, provider, secret_key_id, verifier_ciphertext, created_at, expires_at) VALUES ($1, $2, 'gmail', $3, $4, $5, $6)`,
      [state, orgId, sealed.keyId, sealed.ciphertext, now, expiresAt],
    );
    return { authorizationUrl: url, state, expiresAt: expiresAt.toISOString() };
  }

  /** The consent screen came back: exchange the code, store the refresh token encrypted, start syncing. */
  async complete(state: string, code: string): Promise<MailboxRow> {
    const oauth = this.requireOAuth();
    // Deleting on read makes the state single-use even when the callback is replayed.
    const [pending] = (await this.runtime.dataSource.query(
      `WITH used AS (DELETE FROM mailbox_sync.oauth_authorization WHERE state = $1 AND provider = 'gmail' RETURNING org_id, secret_key_id, verifier_ciphertext, expires_at) SELECT * FROM used`,
      [state],
    )) as { org_id: string; secret_key_id: string; verifier_ciphertext: string; expires_at: Date }[];
    if (!pending) throw new BadRequestException({ error: 'unknown_authorization', message: 'This authorization is unknown or was already used; start connecting again.' });
    if (new Date(pending.expires_at) < this.clock.now()) throw new BadRequestException({ error: 'authorization_expired', message: 'The authorization took too long; start connecting again.' });
    const verifier = this.cipher.decrypt(pending.secret_key_id, pending.verifier_ciphertext, state);
    let grant;
    try {
      grant = await oauth.exchange(code, verifier);
    } catch (err) {
      const error = mapGmailError(err);
      throw new BadRequestException({ error: 'google_authorization_failed', code: error.code, message: 'Google did not grant access; connect the mailbox again.' });
    }
    const profile = await this.followers.gmail.users.getProfile({ userId: 'me' }, { headers: { Authorization: `Bearer ${grant.accessToken}` }, retry: false }).catch((err: unknown) => {
      throw new BadRequestException({ error: 'google_profile_failed', code: mapGmailError(err).code, message: 'Could not read the Gmail address of this account.' });
    });
    const emailAddress = profile.data.emailAddress?.toLowerCase();
    if (!emailAddress) throw new BadRequestException({ error: 'google_profile_failed', message: 'Google returned no email address for this account.' });
    const row = await this.mailboxes.upsertOAuthMailbox(pending.org_id, 'gmail', emailAddress, grant.refreshToken, grant.scopes);
    this.tokens.forget(row.id);
    this.tokens.forMailbox(row, { accessToken: grant.accessToken, expiresAt: grant.expiresAt });
    return row;
  }

  /** Removes abandoned authorizations (of either provider), so encrypted verifiers do not pile up. */
  private async purgeExpired(): Promise<void> {
    await this.runtime.dataSource.query(`DELETE FROM mailbox_sync.oauth_authorization WHERE expires_at < $1`, [this.clock.now()]);
  }
}
