import type { MigrationInterface, QueryRunner } from 'typeorm';

/** OAuth mailboxes (Gmail, Graph): sync cursor on the connection, token expiry, pending PKCE authorizations. */
export class MailboxSyncOauth1764404000000 implements MigrationInterface {
  name = 'MailboxSyncOauth1764404000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE mailbox_sync.mailbox ADD COLUMN sync_cursor text`);
    await q.query(`ALTER TABLE mailbox_sync.mailbox ADD COLUMN oauth_scopes text[]`);
    await q.query(`ALTER TABLE mailbox_sync.mailbox ADD COLUMN push_expires_at timestamptz`);
    // Graph change notifications: the subscription and its clientState, a secret compared on every notification.
    await q.query(`ALTER TABLE mailbox_sync.mailbox ADD COLUMN push_subscription_id text`);
    await q.query(`ALTER TABLE mailbox_sync.mailbox ADD COLUMN push_client_state text`);
    await q.query(`CREATE UNIQUE INDEX mailbox_push_subscription ON mailbox_sync.mailbox (push_subscription_id) WHERE push_subscription_id IS NOT NULL`);
    // The PKCE verifier is a secret (RFC 7636 §7.1): encrypted like every other credential, kept only until the callback.
    await q.query(`
      CREATE TABLE mailbox_sync.oauth_authorization (
        state text PRIMARY KEY,
        org_id uuid NOT NULL,
        provider text NOT NULL CHECK (provider IN ('gmail', 'graph')),
        secret_key_id text NOT NULL,
        verifier_ciphertext text NOT NULL,
        created_at timestamptz NOT NULL,
        expires_at timestamptz NOT NULL
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE mailbox_sync.oauth_authorization`);
    await q.query(`DROP INDEX mailbox_sync.mailbox_push_subscription`);
    await q.query(`ALTER TABLE mailbox_sync.mailbox DROP COLUMN push_client_state`);
    await q.query(`ALTER TABLE mailbox_sync.mailbox DROP COLUMN push_subscription_id`);
    await q.query(`ALTER TABLE mailbox_sync.mailbox DROP COLUMN push_expires_at`);
    await q.query(`ALTER TABLE mailbox_sync.mailbox DROP COLUMN oauth_scopes`);
    await q.query(`ALTER TABLE mailbox_sync.mailbox DROP COLUMN sync_cursor`);
  }
}
