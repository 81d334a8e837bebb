import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The public cloud ranges the tracker refreshed from the providers' lists (issue 19): one row,
 * written by the process that refreshes (TRACKER_CLOUD_RANGES_REFRESH_FROM) and read by every
 * tracker process, so pixel pods need no internet access to stay current.
 */
export class TrackerCloudRanges1766200000000 implements MigrationInterface {
  name = 'TrackerCloudRanges1766200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE tracker.cloud_ranges (
      id smallint PRIMARY KEY DEFAULT 1 CHECK (id = 1),
      file jsonb NOT NULL,
      refreshed_at timestamptz NOT NULL
    )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE tracker.cloud_ranges`);
  }
}
