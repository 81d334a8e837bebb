import type { DataSource } from 'typeorm';
import type { ImapCursor, ImapCursorStore } from '@telltale/mail';

/** IMAP cursors persisted on the connection, so a restart resumes exactly where it left off. */
export class PostgresImapCursorStore implements ImapCursorStore {
  constructor(
    private readonly dataSource: DataSource,
    private readonly mailboxId: string,
  ) {}

  async load(folder: string): Promise<ImapCursor | null> {
    const [row] = (await this.dataSource.query(`SELECT uid_validity, last_uid FROM mailbox_sync.imap_cursor WHERE mailbox_id = $1 AND folder = $2`, [
      this.mailboxId,
      folder,
    ])) as { uid_validity: string; last_uid: string }[];
    return row ? { uidValidity: row.uid_validity, lastUid: Number(row.last_uid) } : null;
  }

  async save(folder: string, cursor: ImapCursor): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO mailbox_sync.imap_cursor (mailbox_id, folder, uid_validity, last_uid, updated_at) VALUES ($1, $2, $3, $4, now())
       ON CONFLICT (mailbox_id, folder) DO UPDATE SET uid_validity = EXCLUDED.uid_validity, last_uid = EXCLUDED.last_uid, updated_at = now()`,
      [this.mailboxId, folder, cursor.uidValidity, cursor.lastUid],
    );
  }
}
