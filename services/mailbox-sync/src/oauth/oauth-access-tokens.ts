import { Inject, Injectable } from '@nestjs/common';
import { MailProviderError, RefreshingAccessTokenSource, type AccessToken } from '@telltale/mail';
import { CLOCK, type Clock } from '@telltale/db';
import type { MailboxRow } from '../mailboxes/mailbox-record';
import { MailboxesService } from '../mailboxes/mailboxes.service';
import { GOOGLE_OAUTH, type GoogleOAuthProvider } from '../gmail/gmail-settings';
import { MICROSOFT_OAUTH, type MicrosoftOAuthProvider } from '../graph/graph-settings';

/** Access tokens handed out must outlive the sender's 30 s transport cache by a wide margin. */
const REFRESH_SKEW_MS = 5 * 60_000;

type OAuthRow = Pick<MailboxRow, 'id' | 'provider'>;

/**
 * One token source per OAuth mailbox (Gmail, Graph), shared by its sync and by the sender's
 * transport lookups, so a mailbox never has two refreshes in flight. Refresh tokens stay
 * encrypted in the row; a rotated one replaces the stored one.
 */
@Injectable()
export class OAuthAccessTokens {
  private readonly sources = new Map<string, RefreshingAccessTokenSource>();

  constructor(
    @Inject(GOOGLE_OAUTH) private readonly google: GoogleOAuthProvider,
    @Inject(MICROSOFT_OAUTH) private readonly microsoft: MicrosoftOAuthProvider,
    private readonly mailboxes: MailboxesService,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  forMailbox(row: OAuthRow, initial?: AccessToken): RefreshingAccessTokenSource {
    let source = this.sources.get(row.id);
    if (!source) {
      source = new RefreshingAccessTokenSource({
        now: () => this.clock.now(),
        skewMs: REFRESH_SKEW_MS,
        ...(initial ? { initial } : {}),
        refresh: () => this.refresh(row),
      });
      this.sources.set(row.id, source);
    }
    return source;
  }

  /** A valid token and its expiry, for the sender; refreshes first when close to expiry. */
  async current(row: OAuthRow): Promise<{ accessToken: string; expiresAt: Date | null }> {
    const source = this.forMailbox(row);
    const accessToken = await source.accessToken();
    return { accessToken, expiresAt: source.expiresAt ?? null };
  }

  forget(mailboxId: string): void {
    this.sources.delete(mailboxId);
  }

  private async refresh(row: OAuthRow): Promise<AccessToken> {
    const provider = row.provider === 'gmail' ? 'gmail' : 'graph';
    const client = row.provider === 'gmail' ? this.google : row.provider === 'graph' ? this.microsoft : null;
    if (!client) throw new MailProviderError(`OAuth is not configured for ${row.provider}`, { code: 'PERMANENT', provider });
    const current = await this.mailboxes.findRow(row.id);
    if (!current) throw new MailProviderError('mailbox no longer exists', { code: 'AUTH_REVOKED', provider });
    if (current.state === 'disconnected' || !current.secret_ciphertext) throw new MailProviderError('the mailbox was disconnected', { code: 'AUTH_REVOKED', provider });
    const token = await client.refresh(this.mailboxes.password(current));
    if (token.refreshToken) await this.mailboxes.replaceSecret(row.id, token.refreshToken);
    return { accessToken: token.accessToken, expiresAt: token.expiresAt };
  }
}
