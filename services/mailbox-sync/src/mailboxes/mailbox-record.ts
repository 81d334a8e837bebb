export type MailboxState = 'connected' | 'syncing' | 'needs_reconnect' | 'disconnected';

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
  folders: string[];
  last_error: string | null;
  sync_cursor?: string | null;
  oauth_scopes?: string[] | null;
  created_at: Date;
  updated_at: Date;
}

/** What the API shows: never credentials. */
export interface MailboxView {
  id: string;
  orgId: string;
  emailAddress: string;
  provider: string;
  state: MailboxState;
  folders: string[];
  imap: { host: string | null; port: number | null; secure: boolean | null };
  smtp: { host: string | null; port: number | null; secure: boolean | null };
  lastError: string | null;
  /** Plain words for the user when replies cannot be tracked (PRODUCT.md, reply tracking). */
  replyTracking: string;
}

export function toMailboxView(row: MailboxRow): MailboxView {
  const replyTracking =
    row.state === 'connected' || row.state === 'syncing'
      ? 'Replies to emails sent from this mailbox are tracked.'
      : `Replies are NOT being tracked: the mailbox is ${row.state.replace('_', ' ')}${row.last_error ? ` (${row.last_error})` : ''}. Reconnect it so replies stop campaigns again.`;
  return {
    id: row.id,
    orgId: row.org_id,
    emailAddress: row.email_address,
    provider: row.provider,
    state: row.state,
    folders: row.folders,
    imap: { host: row.imap_host, port: row.imap_port, secure: row.imap_secure },
    smtp: { host: row.smtp_host, port: row.smtp_port, secure: row.smtp_secure },
    lastError: row.last_error,
    replyTracking,
  };
}
