import { ConflictException, Inject, Injectable, NotFoundException } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { z } from 'zod';
import { EmailAddress, mailboxConnectionChangedTopic } from '@telltale/contracts';
import { CLOCK, type Clock } from '@telltale/db';
import { CredentialCipher, ServiceRuntime } from '@telltale/runtime';
import { toMailboxView, type MailboxRow, type MailboxState, type MailboxView, type UnreadableMessageView } from './mailbox-record';

const Host = z.string().trim().min(1).max(253).regex(/^[A-Za-z0-9.-]+$|^\[[0-9a-fA-F:.]+\]$/, 'must be a host name or address');
const Endpoint = z.object({ host: Host, port: z.number().int().min(1).max(65535), secure: z.boolean() });

/**
 * The IMAP folders to follow: 'all' (INBOX with IDLE, and every folder a reply can land in, checked
 * periodically: all but Sent, Drafts, Trash and Junk, folders created later included) or a list
 * (INBOX first is watched with IDLE, the others checked periodically).
 */
export const FolderSelectionInput = z.union([z.literal('all'), z.array(z.string().min(1).max(200)).min(1).max(50)]);

export const ConnectImapMailboxRequest = z
  .object({
    provider: z.literal('imap'),
    emailAddress: EmailAddress,
    imap: Endpoint,
    smtp: Endpoint,
    username: z.string().min(1).max(320),
    password: z.string().min(1).max(1024),
    /** Default 'all': every folder a reply can land in (replies filed by rules). */
    folders: FolderSelectionInput.default('all'),
    /** An admin connecting a rep's mailbox for them names the rep; otherwise it is the caller's. */
    ownerUserId: z.uuid().transform((v) => v.toLowerCase()).optional(),
  })
  .strict();
export type ConnectImapMailboxRequest = z.output<typeof ConnectImapMailboxRequest>;

/** `POST /v1/mailboxes/:id/reconnect`: a new password (and username) for an IMAP mailbox on its stored servers. */
export const ReconnectImapMailboxRequest = z
  .object({
    password: z.string().min(1).max(1024),
    /** Default: the stored username. */
    username: z.string().min(1).max(320).optional(),
  })
  .strict();
export type ReconnectImapMailboxRequest = z.output<typeof ReconnectImapMailboxRequest>;

/** `PATCH /v1/mailboxes/:id`: narrow (or widen) the folders an IMAP mailbox follows, without reconnecting. */
export const UpdateMailboxRequest = z.object({ folders: FolderSelectionInput }).strict();
export type UpdateMailboxRequest = z.output<typeof UpdateMailboxRequest>;

/** Why a mailbox cannot be reconnected with a password (null: it can), as the 409's body. */
export function reconnectProblem(row: MailboxRow): { error: string; message: string } | null {
  if (row.provider !== 'imap' || !row.imap_host || !row.imap_port || !row.smtp_host || !row.smtp_port) {
    const flow = row.provider === 'gmail' ? 'POST /v1/mailboxes/oauth/google' : 'POST /v1/mailboxes/oauth/microsoft';
    return { error: 'mailbox_not_imap', message: `This ${row.provider} mailbox reconnects through its sign-in flow (${flow}), not with a password.` };
  }
  if (row.state !== 'needs_reconnect' && row.state !== 'disconnected') {
    return { error: 'mailbox_connected', message: `The mailbox is ${row.state}: there is nothing to reconnect.` };
  }
  return null;
}

/** The full connection request a reconnect amounts to: the stored servers and folders, the new login. */
export function reconnectRequest(row: MailboxRow, request: ReconnectImapMailboxRequest): ConnectImapMailboxRequest {
  return {
    provider: 'imap',
    emailAddress: row.email_address,
    imap: { host: row.imap_host!, port: row.imap_port!, secure: row.imap_secure ?? true },
    smtp: { host: row.smtp_host!, port: row.smtp_port!, secure: row.smtp_secure ?? true },
    username: request.username ?? row.username ?? row.email_address,
    password: request.password,
    folders: row.folders,
  };
}

@Injectable()
export class MailboxesService {
  constructor(
    private readonly runtime: ServiceRuntime,
    private readonly cipher: CredentialCipher,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /**
   * Connects an IMAP/SMTP mailbox. The same address again is a conflict while it is connected; a
   * mailbox the user disconnected comes back on its row with the new settings and password, keeping
   * its per-folder cursors (so what arrived meanwhile is caught up) unless the server or login changed.
   */
  async connect(orgId: string, request: ConnectImapMailboxRequest): Promise<MailboxRow> {
    const now = this.clock.now();
    const id = await this.runtime.transaction(async (m) => {
      const [existing] = (await m.query(`SELECT * FROM mailbox_sync.mailbox WHERE org_id = $1 AND email_address = $2 FOR UPDATE`, [orgId, request.emailAddress])) as MailboxRow[];
      if (existing && (existing.state !== 'disconnected' || existing.provider !== 'imap')) throw new ConflictException({ error: 'mailbox_already_connected', mailboxId: existing.id });
      if (existing) return this.storeImapSettings(m, existing, request, now);
      const id = randomUUID();
      const secret = this.cipher.encrypt(request.password, id);
      await m.query(
        `INSERT INTO mailbox_sync.mailbox (id, org_id, email_address, provider, state, imap_host, imap_port, imap_secure, smtp_host, smtp_port, smtp_secure,
           username, secret_key_id, secret_ciphertext, folders, created_at, updated_at, state_changed_at, owner_user_id)
         VALUES ($1, $2, $3, 'imap', 'syncing', $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $14, $14, $15)`,
        [
          id,
          orgId,
          request.emailAddress,
          request.imap.host,
          request.imap.port,
          request.imap.secure,
          request.smtp.host,
          request.smtp.port,
          request.smtp.secure,
          request.username,
          secret.keyId,
          secret.ciphertext,
          JSON.stringify(request.folders),
          now,
          request.ownerUserId ?? null,
        ],
      );
      // The owner is in the first event, so the feed knows whose mailbox it is from the start.
      await this.emitStateChange(m, { id, org_id: orgId, provider: 'imap', email_address: request.emailAddress, owner_user_id: request.ownerUserId ?? null }, null, 'syncing', null, now);
      return id;
    });
    return this.getRow(orgId, id);
  }

  /**
   * Reconnects an IMAP mailbox that needs it (the password changed, or the user disconnected it) with
   * a new password (and username) on its stored servers, after ImapConnectionCheck verified both
   * logins: 409 mailbox_not_imap (Gmail and Microsoft reconnect through their OAuth flow) or
   * mailbox_connected (nothing to reconnect). Its cursors and owner are kept.
   */
  async reconnectImap(orgId: string, id: string, request: ConnectImapMailboxRequest): Promise<MailboxRow> {
    await this.runtime.transaction(async (m) => {
      const [row] = (await m.query(`SELECT * FROM mailbox_sync.mailbox WHERE id = $1 AND org_id = $2 FOR UPDATE`, [id, orgId])) as MailboxRow[];
      if (!row) throw new NotFoundException({ error: 'mailbox_not_found' });
      const problem = reconnectProblem(row);
      if (problem) throw new ConflictException(problem);
      await this.storeImapSettings(m, row, request, this.clock.now());
    });
    return this.getRow(orgId, id);
  }

  /** New settings and password on an existing IMAP mailbox's row, which starts syncing again. */
  private async storeImapSettings(m: EntityManager, existing: MailboxRow, request: ConnectImapMailboxRequest, now: Date): Promise<string> {
    const sealed = this.cipher.encrypt(request.password, existing.id);
    const sameServer = existing.imap_host === request.imap.host && existing.imap_port === request.imap.port && existing.username === request.username;
    if (!sameServer) await m.query(`DELETE FROM mailbox_sync.imap_cursor WHERE mailbox_id = $1`, [existing.id]);
    await m.query(
      `UPDATE mailbox_sync.mailbox SET state = 'syncing', imap_host = $2, imap_port = $3, imap_secure = $4, smtp_host = $5, smtp_port = $6, smtp_secure = $7,
         username = $8, secret_key_id = $9, secret_ciphertext = $10, folders = $11, last_error = NULL, last_error_code = NULL,
         updated_at = $12, state_changed_at = $12 WHERE id = $1`,
      [existing.id, request.imap.host, request.imap.port, request.imap.secure, request.smtp.host, request.smtp.port, request.smtp.secure, request.username, sealed.keyId, sealed.ciphertext, JSON.stringify(request.folders), now],
    );
    await this.emitStateChange(m, existing, existing.state, 'syncing', null, now);
    return existing.id;
  }

  async getRow(orgId: string, id: string): Promise<MailboxRow> {
    const [row] = (await this.runtime.dataSource.query(`SELECT * FROM mailbox_sync.mailbox WHERE id = $1 AND org_id = $2`, [id, orgId])) as MailboxRow[];
    if (!row) throw new NotFoundException({ error: 'mailbox_not_found' });
    return row;
  }

  /** Records the rep who connected the mailbox, unless it already has one (a reconnect keeps its owner). */
  async claimOwner(id: string, userId: string | null): Promise<void> {
    if (!userId) return;
    await this.runtime.dataSource.query(`UPDATE mailbox_sync.mailbox SET owner_user_id = $2 WHERE id = $1 AND owner_user_id IS NULL`, [id, userId]);
  }

  async findRow(id: string): Promise<MailboxRow | null> {
    const [row] = (await this.runtime.dataSource.query(`SELECT * FROM mailbox_sync.mailbox WHERE id = $1`, [id])) as MailboxRow[];
    return row ?? null;
  }

  /** The organisation's mailboxes, or only those `ownerUserId` connected. */
  async list(orgId: string, ownerUserId: string | null = null): Promise<MailboxView[]> {
    const rows = (await this.runtime.dataSource.query(
      `SELECT * FROM mailbox_sync.mailbox WHERE org_id = $1 AND ($2::uuid IS NULL OR owner_user_id = $2) ORDER BY created_at`,
      [orgId, ownerUserId],
    )) as MailboxRow[];
    return rows.map(toMailboxView);
  }

  async followable(): Promise<MailboxRow[]> {
    return (await this.runtime.dataSource.query(`SELECT * FROM mailbox_sync.mailbox WHERE provider = 'imap' AND state IN ('connected', 'syncing', 'degraded')`)) as MailboxRow[];
  }

  /** Stores a rotated secret (a new refresh token) encrypted, bound to the row. */
  async replaceSecret(id: string, secret: string): Promise<void> {
    const sealed = this.cipher.encrypt(secret, id);
    await this.runtime.dataSource.query(`UPDATE mailbox_sync.mailbox SET secret_key_id = $2, secret_ciphertext = $3, updated_at = $4 WHERE id = $1`, [id, sealed.keyId, sealed.ciphertext, this.clock.now()]);
  }

  /**
   * Creates or re-authorizes an OAuth mailbox (Gmail, Graph) in one transaction with its event.
   * Reconnecting (after needs_reconnect, or after the user disconnected it) stores the fresh grant and
   * keeps the sync cursor, so nothing received meanwhile is skipped (a cursor the provider no longer
   * honours falls back to a resync of the recent window).
   */
  async upsertOAuthMailbox(orgId: string, provider: 'gmail' | 'graph', emailAddress: string, refreshToken: string, scopes: string[], ownerUserId: string | null = null): Promise<MailboxRow> {
    const now = this.clock.now();
    const id = await this.runtime.transaction(async (m) => {
      const [existing] = (await m.query(`SELECT id, state, provider, owner_user_id FROM mailbox_sync.mailbox WHERE org_id = $1 AND email_address = $2 FOR UPDATE`, [orgId, emailAddress])) as Pick<MailboxRow, 'id' | 'state' | 'provider' | 'owner_user_id'>[];
      if (existing && existing.provider !== provider) throw new ConflictException({ error: 'mailbox_already_connected', mailboxId: existing.id });
      const rowId = existing?.id ?? randomUUID();
      const sealed = this.cipher.encrypt(refreshToken, rowId);
      if (existing) {
        await m.query(
          `UPDATE mailbox_sync.mailbox SET state = 'syncing', secret_key_id = $2, secret_ciphertext = $3, oauth_scopes = $4, last_error = NULL, last_error_code = NULL, updated_at = $5,
             state_changed_at = CASE WHEN state = 'syncing' THEN state_changed_at ELSE $5 END WHERE id = $1`,
          [rowId, sealed.keyId, sealed.ciphertext, scopes, now],
        );
        if (existing.state !== 'syncing') await this.emitStateChange(m, { id: rowId, org_id: orgId, provider, email_address: emailAddress, owner_user_id: existing.owner_user_id ?? ownerUserId }, existing.state, 'syncing', null, now);
      } else {
        await m.query(
          `INSERT INTO mailbox_sync.mailbox (id, org_id, email_address, provider, state, secret_key_id, secret_ciphertext, oauth_scopes, folders, created_at, updated_at, state_changed_at, owner_user_id)
           VALUES ($1, $2, $3, $4, 'syncing', $5, $6, $7, '["ALL"]', $8, $8, $8, $9)`,
          [rowId, orgId, emailAddress, provider, sealed.keyId, sealed.ciphertext, scopes, now, ownerUserId],
        );
        await this.emitStateChange(m, { id: rowId, org_id: orgId, provider, email_address: emailAddress, owner_user_id: ownerUserId }, null, 'syncing', null, now);
      }
      return rowId;
    });
    return this.getRow(orgId, id);
  }

  async loadCursor(id: string): Promise<string | null> {
    const [row] = (await this.runtime.dataSource.query(`SELECT sync_cursor FROM mailbox_sync.mailbox WHERE id = $1`, [id])) as { sync_cursor: string | null }[];
    return row?.sync_cursor ?? null;
  }

  async saveCursor(id: string, cursor: string | null): Promise<void> {
    await this.runtime.dataSource.query(`UPDATE mailbox_sync.mailbox SET sync_cursor = $2 WHERE id = $1`, [id, cursor]);
  }

  async followableByProvider(provider: 'gmail' | 'graph'): Promise<MailboxRow[]> {
    return (await this.runtime.dataSource.query(`SELECT * FROM mailbox_sync.mailbox WHERE provider = $1 AND state IN ('connected', 'syncing', 'degraded')`, [provider])) as MailboxRow[];
  }

  async findByAddress(provider: 'gmail' | 'graph', emailAddress: string): Promise<MailboxRow[]> {
    return (await this.runtime.dataSource.query(`SELECT * FROM mailbox_sync.mailbox WHERE provider = $1 AND lower(email_address) = lower($2)`, [provider, emailAddress])) as MailboxRow[];
  }

  password(row: MailboxRow): string {
    if (!row.secret_key_id || !row.secret_ciphertext) throw new Error(`mailbox ${row.id} has no stored secret`);
    return this.cipher.decrypt(row.secret_key_id, row.secret_ciphertext, row.id);
  }

  /**
   * The folders an IMAP mailbox follows, changed in place (its cursors kept: a folder followed again
   * resumes where it stopped, one new to it is read back over the new-folder window). 409
   * mailbox_not_imap for Gmail and Microsoft, which follow every folder but Sent, Drafts, Trash and Junk.
   */
  async updateFolders(orgId: string, id: string, folders: UpdateMailboxRequest['folders']): Promise<MailboxRow> {
    const row = await this.getRow(orgId, id);
    if (row.provider !== 'imap') {
      throw new ConflictException({ error: 'mailbox_not_imap', message: `A ${row.provider} mailbox follows every folder a reply can land in; only an IMAP mailbox's folders can be chosen.` });
    }
    await this.runtime.dataSource.query(`UPDATE mailbox_sync.mailbox SET folders = $2, updated_at = $3 WHERE id = $1`, [id, JSON.stringify(folders), this.clock.now()]);
    return this.getRow(orgId, id);
  }

  /** The only way a connection changes state; every change is an event (STYLE.md §5). */
  async transition(id: string, to: MailboxState, reason: string | null, errorCode: string | null = null): Promise<void> {
    const now = this.clock.now();
    await this.runtime.transaction(async (m) => {
      const [row] = (await m.query(`SELECT id, org_id, provider, email_address, state, owner_user_id FROM mailbox_sync.mailbox WHERE id = $1 FOR UPDATE`, [id])) as (Pick<
        MailboxRow,
        'id' | 'org_id' | 'provider' | 'email_address' | 'state' | 'owner_user_id'
      >)[];
      // Disconnecting is the user's decision: only connecting again (connect, upsertOAuthMailbox) undoes it,
      // never a sync that was still in flight.
      if (!row || row.state === to || row.state === 'disconnected') return;
      await m.query(`UPDATE mailbox_sync.mailbox SET state = $2, last_error = $3, last_error_code = $4, updated_at = $5, state_changed_at = $5 WHERE id = $1`, [id, to, reason, errorCode, now]);
      await this.emitStateChange(m, row, row.state, to, reason, now, errorCode);
    });
  }

  /**
   * The user disconnects the mailbox: state `disconnected` and every credential wiped from the row
   * (refresh token or password, granted scopes, push subscription and its clientState), in one
   * transaction with the event. Returns what is needed to clean up at the provider afterwards, held
   * only in memory; `released` is null when the mailbox was already disconnected (nothing changed).
   */
  async disconnect(orgId: string, id: string): Promise<{ row: MailboxRow; released: { secret: string | null; pushSubscriptionId: string | null } | null }> {
    const now = this.clock.now();
    return this.runtime.transaction(async (m) => {
      const [row] = (await m.query(`SELECT * FROM mailbox_sync.mailbox WHERE id = $1 AND org_id = $2 FOR UPDATE`, [id, orgId])) as (MailboxRow & { push_subscription_id: string | null })[];
      if (!row) throw new NotFoundException({ error: 'mailbox_not_found' });
      if (row.state === 'disconnected') return { row, released: null };
      let secret: string | null = null;
      try {
        secret = row.secret_key_id && row.secret_ciphertext ? this.cipher.decrypt(row.secret_key_id, row.secret_ciphertext, row.id) : null;
      } catch {
        // A secret we cannot read cannot be revoked either; it is wiped all the same.
      }
      await m.query(
        `UPDATE mailbox_sync.mailbox SET state = 'disconnected', secret_key_id = NULL, secret_ciphertext = NULL, oauth_scopes = NULL,
           push_subscription_id = NULL, push_client_state = NULL, push_expires_at = NULL, last_error = NULL, last_error_code = NULL, updated_at = $2, state_changed_at = $2 WHERE id = $1`,
        [id, now],
      );
      await this.emitStateChange(m, row, row.state, 'disconnected', 'The mailbox was disconnected by a user.', now);
      const [after] = (await m.query(`SELECT * FROM mailbox_sync.mailbox WHERE id = $1`, [id])) as MailboxRow[];
      return { row: after!, released: { secret, pushSubscriptionId: row.push_subscription_id ?? null } };
    });
  }

  private async emitStateChange(
    m: EntityManager,
    row: Pick<MailboxRow, 'id' | 'org_id' | 'provider' | 'email_address'> & Partial<Pick<MailboxRow, 'owner_user_id'>>,
    from: MailboxState | null,
    to: MailboxState,
    reason: string | null,
    at: Date,
    errorCode: string | null = null,
  ): Promise<void> {
    await this.runtime.outbox.enqueue(
      m,
      mailboxConnectionChangedTopic,
      { orgId: row.org_id, mailboxId: row.id, provider: row.provider, emailAddress: row.email_address, previousState: from, state: to, reason, errorCode, changedAt: at.toISOString(), ownerUserId: row.owner_user_id ?? null },
      { orgId: row.org_id, occurredAt: at },
    );
  }

  /** The Graph mailboxes behind these change-notification subscription ids, with the clientState each expects. */
  async graphSubscribers(subscriptionIds: readonly string[]): Promise<{ id: string; push_subscription_id: string; push_client_state: string | null }[]> {
    if (subscriptionIds.length === 0) return [];
    return (await this.runtime.dataSource.query(
      `SELECT id, push_subscription_id, push_client_state FROM mailbox_sync.mailbox WHERE provider = 'graph' AND push_subscription_id = ANY($1)`,
      [subscriptionIds],
    )) as { id: string; push_subscription_id: string; push_client_state: string | null }[];
  }

  /** The most recent unreadable messages of one mailbox of the organisation, newest first. */
  async unreadableMessages(orgId: string, id: string, limit: number): Promise<UnreadableMessageView[]> {
    await this.getRow(orgId, id);
    const rows = (await this.runtime.dataSource.query(
      `SELECT provider_message_id, folder, reason, recorded_at FROM mailbox_sync.unreadable_message WHERE mailbox_id = $1 ORDER BY recorded_at DESC, provider_message_id LIMIT $2`,
      [id, limit],
    )) as { provider_message_id: string; folder: string; reason: string; recorded_at: Date }[];
    return rows.map((r) => ({ providerMessageId: r.provider_message_id, folder: r.folder, reason: r.reason, recordedAt: r.recorded_at.toISOString() }));
  }

  view(row: MailboxRow): MailboxView {
    return toMailboxView(row);
  }
}
