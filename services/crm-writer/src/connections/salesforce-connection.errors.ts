/**
 * Why `SalesforceConnections.forOrg` has no connection to give.
 *
 * - `salesforce_not_connected`: the organisation never connected Salesforce (or disconnected it),
 *   and no deprecated integration user is configured.
 * - `salesforce_needs_reconnect`: Salesforce refused the stored grant (`invalid_grant`); an admin
 *   must connect again.
 *
 * Both are states an admin fixes, not faults of the activity: callers WAIT AND RETRY LATER and
 * never dead-letter on them. The activity lands once the organisation is (re)connected.
 */
export type SalesforceUnavailableCode = 'salesforce_not_connected' | 'salesforce_needs_reconnect';

export class SalesforceConnectionUnavailableError extends Error {
  override readonly name = 'SalesforceConnectionUnavailableError';
  /** Always true: retry later, never dead-letter. */
  readonly retryLater = true;

  constructor(
    readonly code: SalesforceUnavailableCode,
    readonly orgId: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Marks the refresh failures our own refresh functions report, so a request that jsforce retried
 * through a refresh (and so re-wrapped as "Unable to refresh session due to: …") is still recognised.
 */
const NEEDS_RECONNECT_MARKER = 'salesforce_needs_reconnect:';

export function needsReconnectMessage(reason: string): string {
  return `${NEEDS_RECONNECT_MARKER} ${reason}`;
}

/**
 * True for a `SalesforceConnectionUnavailableError`, and for a jsforce call that failed because the
 * organisation's grant was refused while refreshing its session (the connection is then marked
 * `needs_reconnect`). Either way: wait and retry later, never dead-letter.
 */
export function isSalesforceConnectionUnavailable(err: unknown): boolean {
  if (err instanceof SalesforceConnectionUnavailableError) return true;
  return err instanceof Error && err.message.includes(NEEDS_RECONNECT_MARKER);
}
