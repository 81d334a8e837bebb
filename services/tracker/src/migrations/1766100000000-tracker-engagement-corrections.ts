import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A hit relabelled after the fact (tracking.engagement-corrected.v1) keeps its first label beside
 * the new one: the counters (tracker.email_engagement_summary) read `label`, so they follow.
 */
export class TrackerEngagementCorrections1766100000000 implements MigrationInterface {
  name = 'TrackerEngagementCorrections1766100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE tracker.engagement ADD COLUMN corrected_from text, ADD COLUMN corrected_at timestamptz`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE tracker.engagement DROP COLUMN corrected_from, DROP COLUMN corrected_at`);
  }
}
