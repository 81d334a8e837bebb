import { BadRequestException, Inject, Injectable, ServiceUnavailableException } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { createGraphClient, mapGraphError } from '@telltale/mail';
import { CLOCK, type Clock } from '@telltale/db';
import { ServiceRuntime } from '@telltale/runtime';
import { CredentialCipher } from '../credentials/credential-cipher';
import type { MailboxRow } from '../mailboxes/mailbox-record';
import { MailboxesService } from '../mailboxes/mailboxes.service';
import { OAuthAccessTokens } from '../oauth/oauth-access-tokens';
import { GRAPH_SETTINGS, MICROSOFT_OAUTH, type GraphSettings, type MicrosoftOAuthProvider } from './graph-settings';

const AUTHORIZATION_TTL_MS = 10 * 60_000;
const me = z.looseObject({ mail: z.string().nullish(), userPrincipalName: z.string().nullish() });

/** Connecting a Microsoft 365 / Exchange Online mailbox: authorization code + PKCE + offline_access. */
@Injectable()
export class GraphConnectionsService {
  constructor(
    private readonly runtime: ServiceRuntime,
    private readonly cipher: CredentialCipher,
    private readonly mailboxes: MailboxesService,
    private readonly tokens: OAuthAccessTokens,
    @Inject(MICROSOFT_OAUTH) private readonly oauth: MicrosoftOAuthProvider,
    @Inject(GRAPH_SETTINGS) private readonly settings: GraphSettings,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  private requireOAuth(): NonNullable<MicrosoftOAuthProvider> {
    if (!this.oauth) throw new ServiceUnavailableException({ error: 'microsoft_not_configured', message: 'This deployment has no Microsoft app registration (MS_CLIENT_ID).' });
    return this.oauth;
  }

  async start(orgId: string, loginHint: string | undefined): Promise<{ authorizationUrl: string; state: string; expiresAt: string }> {
    const oauth = this.requireOAuth();
    await this.runtime.dataSource.query(`DELETE FROM mailbox_sync.oauth_authorization WHERE expires_at < $1`, [this.clock.now()]);
    const state = randomBytes(24).toString('base64url');
    const { url, codeVerifier } = oauth.start(state, loginHint);
    const sealed = this.cipher.encrypt(codeVerifier, state);
    const now = this.clock.now();
    const expiresAt = new Date(now.getTime() + AUTHORIZATION_TTL_MS);
    await this.runtime.dataSource.query(
      `INSERT INTO mailbox_sync.oauth_authorization (state, org_id, provider, secret_key_id, verifier_ciphertext, created_at, expires_at) VALUES ($1, $2, 'graph', $3, $4, $5, $6)`,
      [state, orgId, sealed.keyId, sealed.ciphertext, now, expiresAt],
    );
    return { authorizationUrl: url, state, expiresAt: expiresAt.toISOString() };
  }

  async complete(state: string, code: string): Promise<MailboxRow> {
    const oauth = this.requireOAuth();
    const [pending] = (await this.runtime.dataSource.query(
      `WITH used AS (DELETE FROM mailbox_sync.oauth_authorization WHERE state = $1 AND provider = 'graph' RETURNING org_id, secret_key_id, verifier_ciphertext, expires_at) SELECT * FROM used`,
      [state],
    )) as { org_id: string; secret_key_id: string; verifier_ciphertext: string; expires_at: Date }[];
    if (!pending) throw new BadRequestException({ error: 'unknown_authorization', message: 'This authorization is unknown or was already used; start connecting again.' });
    if (new Date(pending.expires_at) < this.clock.now()) throw new BadRequestException({ error: 'authorization_expired', message: 'The authorization took too long; start connecting again.' });
    const verifier = this.cipher.decrypt(pending.secret_key_id, pending.verifier_ciphertext, state);
    let grant;
    try {
      grant = await oauth.exchange(code, verifier);
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
    const row = await this.mailboxes.upsertOAuthMailbox(pending.org_id, 'graph', emailAddress, grant.refreshToken, grant.scopes);
    this.tokens.forget(row.id);
    this.tokens.forMailbox(row, { accessToken: grant.accessToken, expiresAt: grant.expiresAt });
    return row;
  }
}
