export type MailboxState = 'connected' | 'syncing' | 'degraded' | 'needs_reconnect' | 'disconnected';

/** Which IMAP folders are followed: a list, or 'all' (INBOX and every folder a reply can land in, new ones included). */
export type FolderSelection = string[] | 'all';

export interface MailboxRow {
  id: string;
  org_id: string;
  email_address: string;
  provider: 'imap' | 'gmail' | 'graph';
  state: MailboxState;
  imap_host: string | null;
  imap_port: number | null;
  imap_secure: boolean | null;
  smtp_host: string | null;
  smtp_port: number | null;
  smtp_secure: boolean | null;
  username: string | null;
  secret_key_id: string | null;
  secret_ciphertext: string | null;
  folders: FolderSelection;
  last_error: string | null;
  /** The provider error's code behind `degraded` / `needs_reconnect` (null otherwise). */
  last_error_code?: string | null;
  /** When the mailbox entered its current state. */
  state_changed_at?: Date | null;
  unreadable_count: number;
  /** The rep who connected it (null for mailboxes connected before owners were recorded). */
  owner_user_id: string | null;
  sync_cursor?: string | null;
  oauth_scopes?: string[] | null;
  created_at: Date;
  updated_at: Date;
}

/** What the API shows: never credentials. */
export interface MailboxView {
  id: string;
  orgId: string;
  /** The rep who connected it (null: connected before owners were recorded). */
  ownerUserId: string | null;
  emailAddress: string;
  provider: string;
  state: MailboxState;
  /** Since when it is in this state (e.g. how long its server has been unreachable while `degraded`). */
  stateSince: string | null;
  /** IMAP: the folders followed, or 'all' (INBOX and every folder but Sent, Drafts, Trash and Junk, new ones included). */
  folders: FolderSelection;
  imap: { host: string | null; port: number | null; secure: boolean | null };
  smtp: { host: string | null; port: number | null; secure: boolean | null };
  lastError: string | null;
  /** The coded error behind `degraded` or `needs_reconnect` (e.g. TEMPORARY, AUTH_REVOKED), null otherwise. */
  lastErrorCode: string | null;
  /** Messages that could not be read and were passed over (see GET /v1/mailboxes/{id}/unreadable-messages). */
  unreadableMessages: number;
  /** Plain words for the user when replies cannot be tracked (docs/architecture.md, Product rules). */
  replyTracking: string;
}

export function toMailboxView(row: MailboxRow): MailboxView {
  const since = row.state_changed_at ? new Date(row.state_changed_at).toISOString() : null;
  const replyTracking =
    row.state === 'connected' || row.state === 'syncing'
      ? 'Replies to emails sent from this mailbox are tracked.'
      : row.state === 'degraded'
        ? `Replies are not being seen right now: the mail server cannot be reached${since ? ` since ${since}` : ''}${row.last_error ? ` (${row.last_error})` : ''}. It is retried automatically; replies that arrived meanwhile are found once it answers.`
        : `Replies are NOT being tracked: the mailbox is ${row.state.replace('_', ' ')}${row.last_error ? ` (${row.last_error})` : ''}. Reconnect it so replies stop campaigns again.`;
  return {
    id: row.id,
    orgId: row.org_id,
    ownerUserId: row.owner_user_id ?? null,
    emailAddress: row.email_address,
    provider: row.provider,
    state: row.state,
    stateSince: since,
    folders: row.folders,
    imap: { host: row.imap_host, port: row.imap_port, secure: row.imap_secure },
    smtp: { host: row.smtp_host, port: row.smtp_port, secure: row.smtp_secure },
    lastError: row.last_error,
    lastErrorCode: row.last_error_code ?? null,
    unreadableMessages: row.unreadable_count ?? 0,
    replyTracking,
  };
}

/** One message the sync passed over, and why; never its content. */
export interface UnreadableMessageView {
  providerMessageId: string;
  folder: string;
  reason: string;
  recordedAt: string;
}
