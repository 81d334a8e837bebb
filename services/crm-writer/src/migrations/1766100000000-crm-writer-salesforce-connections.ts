import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Each organisation's own Salesforce connection (issue 14), and the web-server flow's pending
 * authorizations. Secrets (the refresh token, or the JWT flow's private key; the PKCE verifier) are
 * AES-256-GCM ciphertexts under CREDENTIALS_ENCRYPTION_KEYS with the key id beside them.
 */
export class CrmWriterSalesforceConnections1766100000000 implements MigrationInterface {
  name = 'CrmWriterSalesforceConnections1766100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE crm_writer.salesforce_connection (
        org_id uuid PRIMARY KEY,
        state text NOT NULL CHECK (state IN ('connected', 'needs_reconnect', 'disconnected')),
        flow text NOT NULL CHECK (flow IN ('web_server', 'jwt_bearer')),
        login_url text NOT NULL,
        instance_url text,
        salesforce_org_id text,
        salesforce_user_id text,
        salesforce_username text,
        consumer_key text,
        secret_key_id text,
        secret_ciphertext text,
        last_error text,
        last_error_code text,
        state_since timestamptz NOT NULL,
        connected_by text NOT NULL,
        connected_at timestamptz NOT NULL,
        generation integer NOT NULL DEFAULT 1,
        preflight jsonb,
        preflight_at timestamptz
      )`);
    await q.query(`
      CREATE TABLE crm_writer.salesforce_authorization (
        state text PRIMARY KEY,
        org_id uuid NOT NULL,
        started_by text NOT NULL,
        login_url text NOT NULL,
        secret_key_id text NOT NULL,
        verifier_ciphertext text NOT NULL,
        created_at timestamptz NOT NULL,
        expires_at timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX salesforce_authorization_expiry ON crm_writer.salesforce_authorization (expires_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE crm_writer.salesforce_authorization`);
    await q.query(`DROP TABLE crm_writer.salesforce_connection`);
  }
}
