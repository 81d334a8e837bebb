import { SalesforceApiError } from './salesforce-api-error';
import type { SandboxClock } from './salesforce-record-store';

/**
 * The org's daily API request allocation ("API Request Limits and Allocations"): calls are counted
 * over a rolling 24 hours; every REST response carries `Sforce-Limit-Info: api-usage=used/limit`
 * ("Limit Info Header"); once the allocation is spent, calls fail with 403 REQUEST_LIMIT_EXCEEDED
 * "TotalRequests Limit exceeded." until older calls leave the window.
 */
export const DEFAULT_DAILY_API_ALLOCATION = 15_000;
const WINDOW_MS = 24 * 60 * 60 * 1000;

export class ApiAllowance {
  /** Times (ms) of the calls in the window, oldest first. */
  private calls: number[] = [];

  constructor(
    private readonly clock: SandboxClock,
    private limit = DEFAULT_DAILY_API_ALLOCATION,
  ) {}

  /** Counts one call, or refuses it when the allocation is spent (a refused call is not counted). */
  consume(): void {
    if (this.used() >= this.limit) {
      throw new SalesforceApiError(403, 'REQUEST_LIMIT_EXCEEDED', 'TotalRequests Limit exceeded.');
    }
    this.calls.push(this.clock.now().getTime());
  }

  /** Calls made by other integrations of the org: they spend the same allocation. */
  spend(count: number, at = this.clock.now()): void {
    for (let i = 0; i < count; i += 1) this.calls.push(at.getTime());
    this.calls.sort((a, b) => a - b);
  }

  setLimit(limit: number): void {
    this.limit = limit;
  }

  used(): number {
    const since = this.clock.now().getTime() - WINDOW_MS;
    let firstInWindow = 0;
    while (firstInWindow < this.calls.length && (this.calls[firstInWindow] as number) <= since) firstInWindow += 1;
    if (firstInWindow > 0) this.calls = this.calls.slice(firstInWindow);
    return this.calls.length;
  }

  header(): string {
    return `api-usage=${this.used()}/${this.limit}`;
  }

  usage(): { used: number; limit: number } {
    return { used: this.used(), limit: this.limit };
  }
}
