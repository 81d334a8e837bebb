import { SalesforceApiError } from './salesforce-api-error';
import type { SObjectDefinition } from './salesforce-schema';

/**
 * Row-lock contention on demand. Salesforce fails a write that waits too long for a record lock
 * (another transaction holds the parent Account, a rollup, a trigger) with UNABLE_TO_LOCK_ROW
 * "unable to obtain exclusive access to this record"; inside sObject Collections the error is
 * per record. Tests arm it for the next N record writes, optionally of one object.
 */
export class RowLocks {
  private armed: Array<{ sobject: string | undefined; remaining: number }> = [];

  fail(times: number, sobject?: string): void {
    this.armed.push({ sobject: sobject?.toLowerCase(), remaining: times });
  }

  /** Called before each record write; throws when a failure is armed for it. */
  check(object: SObjectDefinition, recordId: string | null): void {
    const index = this.armed.findIndex((a) => a.sobject === undefined || a.sobject === object.name.toLowerCase());
    const entry = this.armed[index];
    if (!entry) return;
    entry.remaining -= 1;
    if (entry.remaining <= 0) this.armed.splice(index, 1);
    throw new SalesforceApiError(
      400,
      'UNABLE_TO_LOCK_ROW',
      `unable to obtain exclusive access to this record${recordId ? ` or 1 records: ${recordId}` : ''}`,
    );
  }
}
