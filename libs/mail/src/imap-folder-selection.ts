/** What a LIST response says about one folder (imapflow's ListResponse satisfies it). */
export interface ListedFolder {
  path: string;
  name: string;
  flags: ReadonlySet<string>;
  /** RFC 6154 special-use attribute, from the server (SPECIAL-USE, XLIST) or matched by name. */
  specialUse?: string | undefined;
}

/**
 * Folders no reply lands in by a rule: what the rep sent or drafted, what they threw away, and
 * spam. `\All` and `\Flagged` are views of messages already in other folders (Gmail's All Mail,
 * Starred): following them would only read every message twice.
 */
const SKIPPED_SPECIAL_USE = new Set(['\\sent', '\\drafts', '\\trash', '\\junk', '\\all', '\\flagged']);

/** Names of the same folders on servers without SPECIAL-USE (RFC 6154), compared case-insensitively on the last level. */
const SKIPPED_NAMES = new Set([
  'sent',
  'sent items',
  'sent mail',
  'sent messages',
  'drafts',
  'draft',
  'trash',
  'deleted',
  'deleted items',
  'deleted messages',
  'bin',
  'junk',
  'junk e-mail',
  'junk email',
  'spam',
  'bulk mail',
  'outbox',
]);

/** Whether a folder is one a reply can land in: selectable, and none of Sent, Drafts, Trash, Junk (or a view of other folders). */
export function isReplyFolder(folder: ListedFolder): boolean {
  const flags = [...folder.flags].map((flag) => flag.toLowerCase());
  if (flags.includes('\\noselect') || flags.includes('\\nonexistent')) return false;
  if (folder.specialUse !== undefined && SKIPPED_SPECIAL_USE.has(folder.specialUse.toLowerCase())) return false;
  if (flags.some((flag) => SKIPPED_SPECIAL_USE.has(flag))) return false;
  return !SKIPPED_NAMES.has(folder.name.trim().toLowerCase());
}

/**
 * The folders to follow out of a LIST: INBOX first (it is watched with IDLE), then every other
 * reply folder in the server's order. INBOX is always there (RFC 3501 §5.1), listed or not.
 */
export function replyFolders(listed: readonly ListedFolder[]): string[] {
  const others = listed.filter((folder) => folder.path.toUpperCase() !== 'INBOX' && isReplyFolder(folder)).map((folder) => folder.path);
  return ['INBOX', ...new Set(others)];
}
