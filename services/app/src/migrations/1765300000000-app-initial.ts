import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Organisations, their people and how they sign in (docs/architecture.md, Identity and tenancy):
 * users with one role each, the organisation's OpenID provider, browser sessions and API keys
 * (both stored as SHA-256 of a random secret: a database copy opens nothing), and sign-in attempts
 * between the redirect to the provider and its callback.
 */
export class AppInitial1765300000000 implements MigrationInterface {
  name = 'AppInitial1765300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE app.organization (
        id uuid PRIMARY KEY,
        name text NOT NULL,
        sign_up_domains text[] NOT NULL DEFAULT '{}',
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE app.identity_provider (
        org_id uuid PRIMARY KEY REFERENCES app.organization (id) ON DELETE CASCADE,
        issuer text NOT NULL,
        client_id text NOT NULL,
        secret_key_id text,
        secret_ciphertext text,
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`
      CREATE TABLE app."user" (
        id uuid PRIMARY KEY,
        org_id uuid NOT NULL REFERENCES app.organization (id) ON DELETE CASCADE,
        email text NOT NULL,
        name text,
        role text NOT NULL CHECK (role IN ('admin', 'manager', 'rep')),
        status text NOT NULL CHECK (status IN ('active', 'invited', 'disabled')),
        created_at timestamptz NOT NULL DEFAULT now(),
        last_sign_in_at timestamptz
      )`);
    await q.query(`CREATE UNIQUE INDEX user_email ON app."user" (org_id, email)`);
    // One address signs in to one organisation: sign-in finds the organisation by the address.
    await q.query(`CREATE UNIQUE INDEX user_email_global ON app."user" (email)`);
    await q.query(`
      CREATE TABLE app.session (
        id uuid PRIMARY KEY,
        token_hash text NOT NULL UNIQUE,
        user_id uuid NOT NULL REFERENCES app."user" (id) ON DELETE CASCADE,
        org_id uuid NOT NULL,
        csrf_token text NOT NULL,
        user_agent text,
        created_at timestamptz NOT NULL,
        last_seen_at timestamptz NOT NULL,
        expires_at timestamptz NOT NULL,
        revoked_at timestamptz
      )`);
    await q.query(`CREATE INDEX session_by_user ON app.session (user_id)`);
    await q.query(`
      CREATE TABLE app.sign_in_attempt (
        state text PRIMARY KEY,
        org_id uuid NOT NULL REFERENCES app.organization (id) ON DELETE CASCADE,
        nonce text NOT NULL,
        code_verifier text NOT NULL,
        return_to text NOT NULL,
        expires_at timestamptz NOT NULL
      )`);
    await q.query(`
      CREATE TABLE app.api_key (
        id uuid PRIMARY KEY,
        org_id uuid NOT NULL REFERENCES app.organization (id) ON DELETE CASCADE,
        name text NOT NULL,
        secret_hash text NOT NULL,
        scopes text[] NOT NULL,
        role text NOT NULL CHECK (role IN ('admin', 'manager', 'rep')),
        created_by uuid,
        created_at timestamptz NOT NULL,
        last_used_at timestamptz,
        revoked_at timestamptz
      )`);
    await q.query(`CREATE INDEX api_key_org ON app.api_key (org_id, created_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of ['api_key', 'sign_in_attempt', 'session', '"user"', 'identity_provider', 'organization']) await q.query(`DROP TABLE app.${table}`);
  }
}
