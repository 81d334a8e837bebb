import type { MigrationInterface, QueryRunner } from 'typeorm';

export class MailboxSyncInitial1764230800000 implements MigrationInterface {
  name = 'MailboxSyncInitial1764230800000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE mailbox_sync.mailbox (
        id uuid PRIMARY KEY,
        org_id uuid NOT NULL,
        email_address text NOT NULL,
        provider text NOT NULL CHECK (provider IN ('imap', 'gmail', 'graph')),
        state text NOT NULL CHECK (state IN ('connected', 'syncing', 'needs_reconnect', 'disconnected')),
        imap_host text,
        imap_port int,
        imap_secure boolean,
        smtp_host text,
        smtp_port int,
        smtp_secure boolean,
        username text,
        secret_key_id text,
        secret_ciphertext text,
        folders jsonb NOT NULL DEFAULT '["INBOX"]',
        last_error text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (org_id, email_address)
      )`);
    await q.query(`
      CREATE TABLE mailbox_sync.imap_cursor (
        mailbox_id uuid NOT NULL REFERENCES mailbox_sync.mailbox (id) ON DELETE CASCADE,
        folder text NOT NULL,
        uid_validity text NOT NULL,
        last_uid bigint NOT NULL,
        updated_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (mailbox_id, folder)
      )`);
    // One event per provider message; also per RFC Message-ID, since one message can show up in
    // several folders (Gmail labels, a copy filed by a rule).
    await q.query(`
      CREATE TABLE mailbox_sync.received_message (
        mailbox_id uuid NOT NULL REFERENCES mailbox_sync.mailbox (id) ON DELETE CASCADE,
        provider_message_id text NOT NULL,
        message_id text,
        folder text NOT NULL,
        received_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (mailbox_id, provider_message_id)
      )`);
    await q.query(`CREATE UNIQUE INDEX received_message_rfc_id ON mailbox_sync.received_message (mailbox_id, message_id) WHERE message_id IS NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE mailbox_sync.received_message`);
    await q.query(`DROP TABLE mailbox_sync.imap_cursor`);
    await q.query(`DROP TABLE mailbox_sync.mailbox`);
  }
}
