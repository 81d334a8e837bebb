import { Controller, Get, Inject, NotFoundException, Param, ParseUUIDPipe, Query, ServiceUnavailableException } from '@nestjs/common';
import { Internal } from '@telltale/runtime';
import { isMailProviderError, type MailServerAddress } from '@telltale/mail';
import { OAuthAccessTokens } from '../oauth/oauth-access-tokens';
import { GMAIL_SETTINGS, type GmailSettings } from '../gmail/gmail-settings';
import { GRAPH_SETTINGS, type GraphSettings } from '../graph/graph-settings';
import { MailboxesService } from '../mailboxes/mailboxes.service';
import { MailHostPolicy, MailHostRefused } from '../mailboxes/mailbox-host-policy';

/** Service-to-service API: the sender fetches send credentials here (never exposed publicly). */
@Controller('internal/v1/mailboxes')
@Internal('sender')
export class InternalMailboxController {
  constructor(
    private readonly mailboxes: MailboxesService,
    private readonly oauthTokens: OAuthAccessTokens,
    @Inject(GMAIL_SETTINGS) private readonly gmail: GmailSettings,
    @Inject(GRAPH_SETTINGS) private readonly graph: GraphSettings,
    private readonly hosts: MailHostPolicy,
  ) {}

  @Get(':id/transport')
  async transport(
    @Param('id', new ParseUUIDPipe()) id: string,
    @Query('refresh') refresh: string | undefined,
  ): Promise<Record<string, unknown>> {
    const row = await this.mailboxes.findRow(id);
    if (row?.provider === 'gmail' || row?.provider === 'graph') return this.oauthTransport(row, refresh === 'true');
    if (!row || !row.smtp_host || !row.smtp_port) throw new NotFoundException({ error: 'mailbox_not_found' });
    const server = row.state === 'disconnected' ? { host: row.smtp_host } : await this.smtpServer(row, row.smtp_host);
    return {
      mailboxId: row.id,
      orgId: row.org_id,
      ownerUserId: row.owner_user_id,
      emailAddress: row.email_address,
      state: server ? row.state : 'needs_reconnect',
      provider: row.provider,
      smtp: {
        // The address checked now (MailHostPolicy), with the name for TLS: the sender never resolves the name itself.
        host: server?.host ?? row.smtp_host,
        ...(server?.servername === undefined ? {} : { servername: server.servername }),
        port: row.smtp_port,
        secure: row.smtp_secure ?? false,
        // A disconnected mailbox holds no password: no auth is handed out (and the sender refuses the state).
        auth: server && row.username && row.state !== 'disconnected' && row.secret_ciphertext ? { user: row.username, pass: this.mailboxes.password(row) } : null,
      },
      // The IMAP server too, checked the same way, so the sender can look in Sent for a message whose
      // send it could not record (the crash window); left out when it cannot be handed out now.
      ...(await this.imapServer(row, server !== null)),
    };
  }

  private async imapServer(row: NonNullable<Awaited<ReturnType<MailboxesService['findRow']>>>, smtpAllowed: boolean): Promise<Record<string, unknown>> {
    if (!smtpAllowed || row.state === 'disconnected' || !row.imap_host || !row.imap_port || !row.username || !row.secret_ciphertext) return {};
    const server = await this.hosts.resolve(row.imap_host).catch(() => null);
    if (!server) return {};
    return {
      imap: {
        host: server.host,
        ...(server.servername === undefined ? {} : { servername: server.servername }),
        port: row.imap_port,
        secure: row.imap_secure ?? true,
        auth: { user: row.username, pass: this.mailboxes.password(row) },
      },
    };
  }

  /**
   * Where the sender is to connect for the mailbox's SMTP server: null when the host is not allowed
   * (an address stored before the policy, or a name now resolving to a private address), and the
   * mailbox then needs reconnecting; a 503 when the name does not resolve now (the send is retried).
   */
  private async smtpServer(row: { id: string }, host: string): Promise<MailServerAddress | null> {
    try {
      return await this.hosts.resolve(host);
    } catch (err) {
      if (!(err instanceof MailHostRefused)) throw err;
      if (err.problem === 'not_found') throw new ServiceUnavailableException({ error: 'mailbox_host_not_found', message: err.message });
      await this.mailboxes.transition(row.id, 'needs_reconnect', `The SMTP server is not allowed: ${err.message}.`);
      return null;
    }
  }

  /**
   * Gmail and Graph sends use a short-lived access token (never the refresh token). A grant found
   * revoked here moves the mailbox to needs_reconnect, and the answer says so, so the send stops.
   * `refresh`: the provider answered 401 to the token handed out (revoked before it expired), so
   * it is dropped and a new one fetched, which is where a revoked grant shows.
   */
  private async oauthTransport(row: NonNullable<Awaited<ReturnType<MailboxesService['findRow']>>>, refresh: boolean): Promise<Record<string, unknown>> {
    const key = row.provider === 'gmail' ? 'gmail' : 'graph';
    const base = { mailboxId: row.id, orgId: row.org_id, ownerUserId: row.owner_user_id, emailAddress: row.email_address, provider: row.provider };
    if (row.state === 'needs_reconnect' || row.state === 'disconnected') return { ...base, state: row.state, [key]: null };
    try {
      if (refresh) this.oauthTokens.forMailbox(row).invalidate();
      const token = await this.oauthTokens.current(row);
      const expiresAt = token.expiresAt?.toISOString() ?? null;
      const settings = key === 'gmail' ? { apiRootUrl: this.gmail.apiRootUrl } : { origin: this.graph.origin, caPem: this.graph.caPem };
      return { ...base, state: row.state, [key]: { ...settings, accessToken: token.accessToken, expiresAt } };
    } catch (err) {
      if (isMailProviderError(err) && (err.code === 'AUTH_REVOKED' || err.code === 'INSUFFICIENT_PERMISSIONS')) {
        await this.mailboxes.transition(row.id, 'needs_reconnect', 'The mailbox authorization was revoked or has expired.');
        return { ...base, state: 'needs_reconnect', [key]: null };
      }
      throw err;
    }
  }
}
