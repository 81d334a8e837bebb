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

/** One UID FETCH worth of UIDs: the UIDs (ascending) and the same set in RFC 3501 sequence-set syntax. */
export interface UidPage {
  uids: number[];
  set: string;
}

/** "1:3,5,7:8" for [1, 2, 3, 5, 7, 8]: ascending UIDs as the shortest RFC 3501 §9 sequence-set. */
export function compactUidSet(sortedUids: readonly number[]): string {
  const parts: string[] = [];
  let index = 0;
  while (index < sortedUids.length) {
    const first = sortedUids[index]!;
    let last = first;
    while (index + 1 < sortedUids.length && sortedUids[index + 1] === last + 1) {
      index += 1;
      last = sortedUids[index]!;
    }
    parts.push(first === last ? String(first) : `${first}:${last}`);
    index += 1;
  }
  return parts.join(',');
}

/**
 * Splits ascending UIDs into pages of at most maxUids, each also short enough as a sequence-set
 * (maxSetLength characters) to stay well inside servers' command-line limits (RFC 7162 §4 asks
 * clients to stay under 8192 octets).
 */
export function uidPages(sortedUids: readonly number[], maxUids: number, maxSetLength = 4_000): UidPage[] {
  const pages: UidPage[] = [];
  const limit = Math.max(1, Math.floor(maxUids));
  let uids: number[] = [];
  let setLength = 0;
  let rangeStart = 0;
  for (const uid of sortedUids) {
    const previous = uids.at(-1);
    const extendsRange = previous !== undefined && uid === previous + 1;
    // What uid adds to the set: "a" becomes "a:uid", "a:b" becomes "a:uid", or ",uid" is appended.
    let growth = 1 + String(uid).length;
    if (previous === undefined) growth = String(uid).length;
    else if (extendsRange && rangeStart !== previous) growth = String(uid).length - String(previous).length;
    if (uids.length >= limit || (uids.length > 0 && setLength + growth > maxSetLength)) {
      pages.push({ uids, set: compactUidSet(uids) });
      uids = [];
      setLength = 0;
    }
    if (uids.length === 0) {
      setLength = String(uid).length;
      rangeStart = uid;
    } else {
      setLength += growth;
      if (!extendsRange) rangeStart = uid;
    }
    uids.push(uid);
  }
  if (uids.length > 0) pages.push({ uids, set: compactUidSet(uids) });
  return pages;
}

/**
 * Delivery of one page, as the server streams it: the cursor may only move to a UID once every
 * UID of the page below it was handled, so a server answering out of UID order (RFC 3501 does not
 * promise the order of FETCH responses) cannot make a crash skip a message.
 */
export class UidPageProgress {
  private next = 0;
  private highestHandled = 0;
  private readonly handledAhead = new Set<number>();
  private readonly wanted: Set<number>;

  constructor(private readonly uids: readonly number[]) {
    this.wanted = new Set(uids);
  }

  /** Whether uid belongs to the page and was not handled yet (servers may add unsolicited FETCH responses). */
  expects(uid: number): boolean {
    return this.wanted.has(uid);
  }

  /** Records uid as handled; returns where the cursor may now stand, or null if it cannot move. */
  handled(uid: number): number | null {
    if (!this.wanted.delete(uid)) return null;
    this.highestHandled = Math.max(this.highestHandled, uid);
    this.handledAhead.add(uid);
    const before = this.next;
    while (this.next < this.uids.length && this.handledAhead.delete(this.uids[this.next]!)) this.next += 1;
    return this.next > before ? this.uids[this.next - 1]! : null;
  }

  /**
   * Once the FETCH completed, UIDs the server did not return were expunged after the SEARCH (UIDs
   * are never reused, RFC 3501 §2.3.1.1): the cursor may stand at the highest UID handled.
   */
  finish(): number | null {
    const reached = this.next > 0 ? this.uids[this.next - 1]! : 0;
    return this.highestHandled > reached ? this.highestHandled : null;
  }
}
