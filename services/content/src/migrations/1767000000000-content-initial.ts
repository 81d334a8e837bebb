import type { MigrationInterface, QueryRunner } from 'typeorm';

export class ContentInitial1767000000000 implements MigrationInterface {
  name = 'ContentInitial1767000000000';

  async up(q: QueryRunner): Promise<void> {
    // A library item: its owner (a rep) sees it, and everyone in the organisation when shared.
    await q.query(`
      CREATE TABLE content.document (
        id uuid PRIMARY KEY,
        org_id uuid NOT NULL,
        owner_user_id uuid,
        title text NOT NULL,
        shared boolean NOT NULL DEFAULT false,
        latest_version integer NOT NULL,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX document_org_updated ON content.document (org_id, updated_at DESC, id DESC)`);
    // Each upload is a version; links already sent show the newest unless pinned to one.
    await q.query(`
      CREATE TABLE content.document_version (
        document_id uuid NOT NULL REFERENCES content.document (id) ON DELETE CASCADE,
        version integer NOT NULL,
        org_id uuid NOT NULL,
        filename text NOT NULL,
        file_type text NOT NULL,
        size_bytes bigint NOT NULL,
        status text NOT NULL DEFAULT 'pending',
        failure_reason text,
        page_count integer,
        extracted_text text,
        search tsvector,
        uploaded_by text NOT NULL,
        uploaded_at timestamptz NOT NULL,
        converted_at timestamptz,
        PRIMARY KEY (document_id, version)
      )`);
    await q.query(`CREATE INDEX document_version_search ON content.document_version USING gin (search)`);
    // The conversion worker's queue, filled from document.uploaded.v1.
    await q.query(`
      CREATE TABLE content.conversion_job (
        document_id uuid NOT NULL,
        version integer NOT NULL,
        org_id uuid NOT NULL,
        queued_at timestamptz NOT NULL,
        started_at timestamptz,
        attempts integer NOT NULL DEFAULT 0,
        PRIMARY KEY (document_id, version)
      )`);
    // An organisation's plan as the content service knows it (absent: CONTENT_DEFAULT_PLAN).
    await q.query(`
      CREATE TABLE content.organization_plan (
        org_id uuid PRIMARY KEY,
        plan text NOT NULL,
        updated_at timestamptz NOT NULL
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE content.organization_plan`);
    await q.query(`DROP TABLE content.conversion_job`);
    await q.query(`DROP TABLE content.document_version`);
    await q.query(`DROP TABLE content.document`);
  }
}
