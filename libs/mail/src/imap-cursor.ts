/**
 * Where an IMAP folder has been read up to. RFC 3501 §2.3.1.1: a UID names a message only
 * together with the folder's UIDVALIDITY, so both are stored; every UID ≤ lastUid has been handled.
 */
export interface ImapCursor {
  /** UIDVALIDITY as a decimal string (it is a 32-bit unsigned value; strings survive JSON and bigint alike). */
  uidValidity: string;
  lastUid: number;
}

/** Persistence for cursors, one per folder. mailbox-sync keeps them on the mailbox connection row. */
export interface ImapCursorStore {
  load(folder: string): Promise<ImapCursor | null>;
  save(folder: string, cursor: ImapCursor): Promise<void>;
}

/** A cursor store in memory, for tests and local tools. */
export class InMemoryImapCursorStore implements ImapCursorStore {
  private readonly cursors = new Map<string, ImapCursor>();

  async load(folder: string): Promise<ImapCursor | null> {
    const cursor = this.cursors.get(folder);
    return cursor === undefined ? null : { ...cursor };
  }

  async save(folder: string, cursor: ImapCursor): Promise<void> {
    this.cursors.set(folder, { ...cursor });
  }
}
