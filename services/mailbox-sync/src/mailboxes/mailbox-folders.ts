import { ConflictException, HttpException, HttpStatus, Inject, Injectable } from '@nestjs/common';
import { isReplyFolder, listImapFolders, MailProviderError, type ListedFolder } from '@telltale/mail';
import { CONNECT_TIMEOUT_MS } from './imap-connection-check';
import { MailHostPolicy, MailHostRefused } from './mailbox-host-policy';
import type { FolderSelection, MailboxRow } from './mailbox-record';
import { MailboxesService } from './mailboxes.service';

/** At most this many folders are listed (a server may hold tens of thousands; the picker needs the first ones). */
export const MAX_LISTED_FOLDERS = 1_000;

/** A folder's RFC 6154 role, as the server marks it (INBOX by its name, RFC 3501 §5.1). */
export type FolderRole = 'inbox' | 'sent' | 'drafts' | 'trash' | 'junk' | 'archive' | 'all' | 'flagged' | 'important';

const ROLES = new Set<FolderRole>(['sent', 'drafts', 'trash', 'junk', 'archive', 'all', 'flagged', 'important']);

export interface MailboxFolderView {
  /** The server's full name of the folder (what `PATCH /v1/mailboxes/:id {folders}` takes). */
  path: string;
  name: string;
  role: FolderRole | null;
  /** Whether it can hold messages (`\Noselect` folders only hold other folders). */
  selectable: boolean;
  /** Followed with 'all': a folder a reply can land in (not Sent, Drafts, Trash, Junk or a view of others). */
  followedByDefault: boolean;
  /** Followed with the mailbox's current selection. */
  followed: boolean;
}

/**
 * `GET /v1/mailboxes/:id/folders`: the folders the mailbox really has, and which are followed. Only an
 * IMAP mailbox's folders can be chosen; Gmail (every label, through its history) and Microsoft
 * (every mail folder) follow all mail already: `choosable: false`, no folders, and a note saying so.
 */
export interface MailboxFoldersView {
  mailboxId: string;
  provider: MailboxRow['provider'];
  selection: FolderSelection;
  choosable: boolean;
  folders: MailboxFolderView[];
  /** More folders than MAX_LISTED_FOLDERS: the first ones in the server's order. */
  truncated: boolean;
  note: string | null;
}

function roleOf(folder: ListedFolder): FolderRole | null {
  if (folder.path.toUpperCase() === 'INBOX') return 'inbox';
  const role = folder.specialUse?.replace(/^\\/, '').toLowerCase() as FolderRole | undefined;
  return role && ROLES.has(role) ? role : null;
}

export function folderViews(listed: readonly ListedFolder[], selection: FolderSelection): MailboxFolderView[] {
  const chosen = selection === 'all' ? null : new Set(selection.map((f) => (f.toUpperCase() === 'INBOX' ? 'INBOX' : f)));
  return listed.map((folder) => {
    const inbox = folder.path.toUpperCase() === 'INBOX';
    const flags = [...folder.flags].map((f) => f.toLowerCase());
    const followedByDefault = inbox || isReplyFolder(folder);
    return {
      path: folder.path,
      name: folder.name,
      role: roleOf(folder),
      selectable: !flags.includes('\\noselect') && !flags.includes('\\nonexistent'),
      followedByDefault,
      followed: chosen === null ? followedByDefault : chosen.has(inbox ? 'INBOX' : folder.path),
    };
  });
}

@Injectable()
export class MailboxFolders {
  constructor(
    private readonly mailboxes: MailboxesService,
    private readonly hosts: MailHostPolicy,
    @Inject(CONNECT_TIMEOUT_MS) private readonly timeoutMs: number,
  ) {}

  /** Lists over a short connection of its own (the follower's stays on its IDLE), within MAILBOX_CONNECT_TIMEOUT_MS. */
  async list(row: MailboxRow): Promise<MailboxFoldersView> {
    const base = { mailboxId: row.id, provider: row.provider, selection: row.folders };
    if (row.provider !== 'imap') {
      const what = row.provider === 'gmail' ? 'Gmail follows every label through the mailbox history' : 'Microsoft 365 follows every mail folder';
      return { ...base, selection: 'all', choosable: false, folders: [], truncated: false, note: `${what} except Sent, Drafts, Trash and Junk: there is nothing to choose.` };
    }
    if (row.state === 'disconnected' || !row.imap_host || !row.imap_port || !row.secret_ciphertext) {
      throw new ConflictException({ error: 'mailbox_disconnected', message: 'The mailbox is disconnected: connect it again to see its folders.' });
    }
    let server;
    try {
      server = await this.hosts.resolve(row.imap_host);
    } catch (err) {
      if (!(err instanceof MailHostRefused)) throw err;
      throw new HttpException({ error: err.problem === 'not_allowed' ? 'mailbox_host_not_allowed' : 'mailbox_host_not_found', message: err.message }, HttpStatus.UNPROCESSABLE_ENTITY);
    }
    let listed: ListedFolder[];
    try {
      listed = await listImapFolders({
        server,
        port: row.imap_port,
        secure: row.imap_secure ?? true,
        auth: { user: row.username ?? row.email_address, pass: this.mailboxes.password(row) },
        timeoutMs: this.timeoutMs,
      });
    } catch (err) {
      if (!(err instanceof MailProviderError)) throw err;
      const server = `The IMAP server ${row.imap_host}:${row.imap_port}`;
      const refusedLogin = err.code === 'AUTH_REVOKED' || err.code === 'INSUFFICIENT_PERMISSIONS';
      throw new HttpException(
        refusedLogin
          ? { error: 'mailbox_auth_failed', message: `${server} refused the stored username or password: reconnect the mailbox.` }
          : { error: 'mailbox_unreachable', message: `${server} could not be reached within ${this.timeoutMs} ms; try again later.` },
        HttpStatus.UNPROCESSABLE_ENTITY,
      );
    }
    const folders = folderViews(listed.slice(0, MAX_LISTED_FOLDERS), row.folders);
    return { ...base, choosable: true, folders, truncated: listed.length > MAX_LISTED_FOLDERS, note: null };
  }
}
