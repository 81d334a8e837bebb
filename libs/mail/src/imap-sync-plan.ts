import type { ImapCursor } from './imap-cursor';

export interface FolderState {
  uidValidity: string;
  /** UIDNEXT: the UID the next message will get (RFC 3501 §2.3.1.1). */
  uidNext: number;
}

export type FolderSyncPlan =
  /** Fetch every UID above cursor.lastUid. */
  | { kind: 'resume'; cursor: ImapCursor }
  /**
   * No usable cursor. Without a window, only mail arriving from now on is read: the cursor starts at
   * UIDNEXT - 1. With a window, messages received since windowSince are read first.
   */
  | { kind: 'start-fresh'; reason: 'no-cursor' | 'uidvalidity-changed'; cursor: ImapCursor; windowSince: Date | null };

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Decides how to read a folder. A changed UIDVALIDITY means every stored UID now names nothing
 * (RFC 3501 §2.3.1.1), so the folder is treated as never seen, with the initial window.
 */
export function planFolderSync(input: {
  stored: ImapCursor | null;
  folder: FolderState;
  initialWindowDays?: number | undefined;
  now: Date;
}): FolderSyncPlan {
  const { stored, folder } = input;
  if (stored !== null && stored.uidValidity === folder.uidValidity) return { kind: 'resume', cursor: stored };
  const windowDays = input.initialWindowDays;
  const windowSince = windowDays !== undefined && windowDays > 0 ? new Date(input.now.getTime() - windowDays * DAY_MS) : null;
  return {
    kind: 'start-fresh',
    reason: stored === null ? 'no-cursor' : 'uidvalidity-changed',
    cursor: { uidValidity: folder.uidValidity, lastUid: Math.max(0, folder.uidNext - 1) },
    windowSince,
  };
}

/** Whether a folder that is not selected (seen through STATUS) has anything for us. */
export function folderHasNewMail(stored: ImapCursor | null, folder: FolderState): boolean {
  if (stored === null || stored.uidValidity !== folder.uidValidity) return true;
  return folder.uidNext - 1 > stored.lastUid;
}
