import type { Connection } from 'jsforce';
import { DEFAULT_GOVERNOR_SETTINGS, type GovernorSettings } from './api-governor';

/** How crm-writer batches and retries its Salesforce writes (docs/crm-writer.md). */
export interface CrmWriterSettings {
  /** Scheduler period; 0 disables the timer (tests drive `tick()` themselves). */
  tickMs: number;
  /** Activities arriving within this window go to Salesforce in one call. */
  batchWindowMs: number;
  /** Engagement on a Task within this window becomes one roll-up update. */
  rollupWindowMs: number;
  /** Up to 200 (sObject Collections' limit). */
  batchSize: number;
  /** A claimed batch belongs to its replica this long; a replica that died leaves it to another. */
  leaseMs: number;
  /** Parked (unmatched) activities are matched again this often. */
  rematchEveryMs: number;
  /** Retry delay when the organisation has no usable connection (an admin must act). */
  connectionRetryMs: number;
  /** Temporary failures: first retry after `retryBaseMs`, doubling, at most `retryMaxMs`; never dead-lettered. */
  retryBaseMs: number;
  retryMaxMs: number;
  governor: GovernorSettings;
}

export const DEFAULT_CRM_WRITER_SETTINGS: CrmWriterSettings = {
  tickMs: 1000,
  batchWindowMs: 30_000,
  rollupWindowMs: 60_000,
  batchSize: 200,
  leaseMs: 120_000,
  rematchEveryMs: 60 * 60 * 1000,
  connectionRetryMs: 5 * 60 * 1000,
  retryBaseMs: 30_000,
  retryMaxMs: 60 * 60 * 1000,
  governor: DEFAULT_GOVERNOR_SETTINGS,
};

export const CRM_WRITER_SETTINGS = Symbol('CRM_WRITER_SETTINGS');

/**
 * Where a write gets its organisation's Salesforce connection: the ONE call site
 * (`SalesforceConnections.forOrg`). It throws a `retryLater` error when the organisation is not
 * connected or must reconnect; such activities wait.
 */
export interface SalesforceConnectionSource {
  forOrg(orgId: string): Promise<Connection>;
}
export const SALESFORCE_CONNECTION_SOURCE = Symbol('SALESFORCE_CONNECTION_SOURCE');

/** The delay before attempt `attempts + 1` of a temporary failure. */
export function retryDelayMs(settings: Pick<CrmWriterSettings, 'retryBaseMs' | 'retryMaxMs'>, attempts: number): number {
  return Math.min(settings.retryMaxMs, settings.retryBaseMs * 2 ** Math.min(attempts, 20));
}
