import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * An organisation's plan (null: the deployment's APP_DEFAULT_PLAN) and the plan the content
 * service last acknowledged (null: none yet), which the app sends until they agree.
 */
export class OrganizationPlan1767100000000 implements MigrationInterface {
  name = 'OrganizationPlan1767100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE app.organization ADD COLUMN plan text CHECK (plan IN ('free', 'team', 'business'))`);
    await q.query(`ALTER TABLE app.organization ADD COLUMN plan_pushed text`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE app.organization DROP COLUMN plan_pushed`);
    await q.query(`ALTER TABLE app.organization DROP COLUMN plan`);
  }
}
