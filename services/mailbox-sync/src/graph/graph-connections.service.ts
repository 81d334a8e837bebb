import { BadRequestException, Inject, Injectable, ServiceUnavailableException } from '@nestjs/common';
import { z } from 'zod';
import { createGraphClient, mapGraphError } from '@telltale/mail';
import type { MailboxRow } from '../mailboxes/mailbox-record';
import { MailboxesService } from '../mailboxes/mailboxes.service';
import { OAuthAccessTokens } from '../oauth/oauth-access-tokens';
import { PendingAuthorizations } from '../oauth/pending-authorizations';
import { GRAPH_SETTINGS, MICROSOFT_OAUTH, type GraphSettings, type MicrosoftOAuthProvider } from './graph-settings';

const me = z.looseObject({ mail: z.string().nullish(), userPrincipalName: z.string().nullish() });

/** Connecting a Microsoft 365 / Exchange Online mailbox: authorization code + PKCE + offline_access. */
@Injectable()
export class GraphConnectionsService {
  constructor(
    private readonly authorizations: PendingAuthorizations,
    private readonly mailboxes: MailboxesService,
    private readonly tokens: OAuthAccessTokens,
    @Inject(MICROSOFT_OAUTH) private readonly oauth: MicrosoftOAuthProvider,
    @Inject(GRAPH_SETTINGS) private readonly settings: GraphSettings,
  ) {}

  private requireOAuth(): NonNullable<MicrosoftOAuthProvider> {
    if (!this.oauth) throw new ServiceUnavailableException({ error: 'microsoft_not_configured', message: 'This deployment has no Microsoft app registration (MS_CLIENT_ID).' });
    return this.oauth;
  }

  async start(orgId: string, startedBy: string, loginHint: string | undefined): Promise<{ authorizationUrl: string; state: string; expiresAt: string }> {
    const oauth = this.requireOAuth();
    const state = this.authorizations.newState();
    const { url, codeVerifier } = oauth.start(state, loginHint);
    const { expiresAt } = await this.authorizations.save(state, orgId, startedBy, 'graph', codeVerifier);
    return { authorizationUrl: url, state, expiresAt };
  }

  async complete(state: string, code: string, caller: { orgId: string; subject: string; userId: string | null }): Promise<MailboxRow> {
    const oauth = this.requireOAuth();
    const pending = await this.authorizations.take(state, 'graph', caller.orgId, caller.subject);
    let grant;
    try {
      grant = await oauth.exchange(code, pending.codeVerifier);
    } catch (err) {
      throw new BadRequestException({ error: 'microsoft_authorization_failed', code: mapGraphError(err).code, message: 'Microsoft did not grant access; connect the mailbox again.' });
    }
    const token = grant.accessToken;
    const client = createGraphClient({ tokens: { accessToken: async () => token }, origin: this.settings.origin, ...(this.settings.caPem ? { ca: this.settings.caPem } : {}) });
    const profile = me.safeParse(await client.api('/me').select(['mail', 'userPrincipalName']).get().catch((err: unknown) => {
      throw new BadRequestException({ error: 'microsoft_profile_failed', code: mapGraphError(err).code, message: 'Could not read the address of this Microsoft account.' });
    }));
    const emailAddress = (profile.success ? (profile.data.mail ?? profile.data.userPrincipalName) : null)?.toLowerCase();
    if (!emailAddress) throw new BadRequestException({ error: 'microsoft_profile_failed', message: 'Microsoft returned no address for this account.' });
    const row = await this.mailboxes.upsertOAuthMailbox(pending.orgId, 'graph', emailAddress, grant.refreshToken, grant.scopes, caller.userId);
    this.tokens.forget(row.id);
    this.tokens.forMailbox(row, { accessToken: grant.accessToken, expiresAt: grant.expiresAt });
    return row;
  }
}
