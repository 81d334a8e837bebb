import { BadRequestException, Inject, Injectable, ServiceUnavailableException } from '@nestjs/common';
import { z } from 'zod';
import { mapGmailError } from '@telltale/mail';
import type { MailboxRow } from '../mailboxes/mailbox-record';
import { MailboxesService } from '../mailboxes/mailboxes.service';
import { OAuthAccessTokens } from '../oauth/oauth-access-tokens';
import { PendingAuthorizations } from '../oauth/pending-authorizations';
import { GmailFollowers } from './gmail-followers';
import { GOOGLE_OAUTH, type GoogleOAuthProvider } from './gmail-settings';


export const StartGoogleAuthorizationRequest = z.object({ loginHint: z.email().max(320).optional() }).strict();

export const GoogleCallbackQuery = z.union([
  z.object({ state: z.string().min(16).max(200), code: z.string().min(1).max(2000) }).loose(),
  z.object({ state: z.string().max(200).optional(), error: z.string().max(200), error_description: z.string().max(2000).optional() }).loose(),
]);

/** Connecting a Gmail mailbox: OAuth 2.0 authorization code + PKCE + offline access. */
@Injectable()
export class GmailConnectionsService {
  constructor(
    private readonly authorizations: PendingAuthorizations,
    private readonly mailboxes: MailboxesService,
    private readonly tokens: OAuthAccessTokens,
    private readonly followers: GmailFollowers,
    @Inject(GOOGLE_OAUTH) private readonly oauth: GoogleOAuthProvider,
  ) {}

  private requireOAuth(): NonNullable<GoogleOAuthProvider> {
    if (!this.oauth) throw new ServiceUnavailableException({ error: 'gmail_not_configured', message: 'This deployment has no Google OAuth client (GOOGLE_CLIENT_ID).' });
    return this.oauth;
  }

  async start(orgId: string, startedBy: string, loginHint: string | undefined): Promise<{ authorizationUrl: string; state: string; expiresAt: string }> {
    const oauth = this.requireOAuth();
    const state = this.authorizations.newState();
    const { url, codeVerifier } = await oauth.start(state, loginHint);
    const { expiresAt } = await this.authorizations.save(state, orgId, startedBy, 'gmail', codeVerifier);
    return { authorizationUrl: url, state, expiresAt };
  }

  /** The consent screen came back: exchange the code, store the refresh token encrypted, start syncing. */
  async complete(state: string, code: string, caller: { orgId: string; subject: string; userId: string | null }): Promise<MailboxRow> {
    const oauth = this.requireOAuth();
    const pending = await this.authorizations.take(state, 'gmail', caller.orgId, caller.subject);
    let grant;
    try {
      grant = await oauth.exchange(code, pending.codeVerifier);
    } catch (err) {
      const error = mapGmailError(err);
      throw new BadRequestException({ error: 'google_authorization_failed', code: error.code, message: 'Google did not grant access; connect the mailbox again.' });
    }
    const profile = await this.followers.gmail.users.getProfile({ userId: 'me' }, { headers: { Authorization: `Bearer ${grant.accessToken}` }, retry: false }).catch((err: unknown) => {
      throw new BadRequestException({ error: 'google_profile_failed', code: mapGmailError(err).code, message: 'Could not read the Gmail address of this account.' });
    });
    const emailAddress = profile.data.emailAddress?.toLowerCase();
    if (!emailAddress) throw new BadRequestException({ error: 'google_profile_failed', message: 'Google returned no email address for this account.' });
    const row = await this.mailboxes.upsertOAuthMailbox(pending.orgId, 'gmail', emailAddress, grant.refreshToken, grant.scopes, caller.userId);
    this.tokens.forget(row.id);
    this.tokens.forMailbox(row, { accessToken: grant.accessToken, expiresAt: grant.expiresAt });
    return row;
  }

}
