import { randomUUID } from 'node:crypto';
import { ManualClock } from '@telltale/db';
import { eventually } from '@telltale/testing';
import { CrmWriteScheduler } from '../../src/activities/crm-write-scheduler';
import { CrmEvents } from './crm-events';
import { startCrmWriterUnderTest, type CrmWriterUnderTest } from './crm-writer-under-test';

/**
 * crm-writer writing activities to a local Salesforce org through its real wiring (Kafka in,
 * PostgreSQL queue, jsforce out), on a manual clock the test ticks. Every organisation reaches the
 * org through the deprecated integration user (the fallback for organisations without their own).
 */

export const INTEGRATION = { username: 'integration@seller.example', password: 'integration-secret' };
export const REP = { username: 'sam@seller.example', password: 'rep-secret' };
export const WINDOW_MS = 2000;
export const ROLLUP_WINDOW_MS = 60_000;

export interface ActivityState {
  activity_key: string;
  state: string;
  attempts: number;
  last_error_code: string | null;
  task_id: string | null;
}

export interface ActivityWriterFixture {
  h: CrmWriterUnderTest;
  clock: ManualClock;
  events: CrmEvents;
  scheduler: CrmWriteScheduler;
  /** A fresh organisation id for one test. */
  newOrg(): string;
  activities(orgId: string): Promise<ActivityState[]>;
  /** Waits until crm-writer has recorded `n` activities of the organisation. */
  received(orgId: string, n: number): Promise<void>;
  /** Moves the clock past the batch window (or by `ms`), then runs one scheduler pass. */
  flush(ms?: number): Promise<void>;
  /** REST API calls Salesforce has received so far. */
  calls(): number;
  tasksWithKey(key: string): Array<Record<string, unknown>>;
  stop(): Promise<void>;
}

export async function startActivityWriter(label: string, config: Record<string, string> = {}): Promise<ActivityWriterFixture> {
  const clock = new ManualClock(new Date('2026-03-02T09:00:00Z'));
  const h = await startCrmWriterUnderTest({
    label,
    clock,
    sandbox: { clock, users: [INTEGRATION, REP] },
    config: {
      SALESFORCE_USERNAME: INTEGRATION.username,
      SALESFORCE_PASSWORD: INTEGRATION.password,
      CRM_WRITE_TICK_MS: '0',
      CRM_WRITE_BATCH_WINDOW_MS: String(WINDOW_MS),
      CRM_ROLLUP_WINDOW_MS: String(ROLLUP_WINDOW_MS),
      ...config,
    },
  });
  const events = await CrmEvents.connect(h.prefix);
  const scheduler = h.service.app.get(CrmWriteScheduler);
  const activities = (orgId: string) =>
    h.sql<ActivityState>(`SELECT activity_key, state, attempts, last_error_code, task_id FROM crm_writer.crm_activity WHERE org_id = $1 ORDER BY activity_key`, [orgId]);
  return {
    h,
    clock,
    events,
    scheduler,
    newOrg: () => randomUUID(),
    activities,
    received: async (orgId, n) => {
      await eventually(`${n} activities of ${orgId} received`, async () => ((await activities(orgId)).length === n ? true : undefined), { timeoutMs: 60_000, intervalMs: 50 });
    },
    flush: async (ms = WINDOW_MS + 1) => {
      clock.advance(ms);
      await scheduler.tick();
    },
    calls: () => h.sandbox.requests.filter((r) => r.path.startsWith('/services/data/v')).length,
    tasksWithKey: (key) => h.sandbox.records('Task').filter((t) => String(t.Telltale_Activity_Key__c).toLowerCase() === key.toLowerCase()),
    stop: async () => {
      await events.stop();
      await h.stop();
    },
  };
}
