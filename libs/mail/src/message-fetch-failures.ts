import type { MailProviderError } from './mail-provider-error';

/** Consecutive HTTP 5xx answers for one message, while the listing around it works, before it is given up. */
export const DEFAULT_MAX_MESSAGE_FETCH_FAILURES = 5;
/** Ids remembered at once; a provider failing on more distinct messages than this is failing, not one message. */
const MAX_TRACKED = 1000;

/**
 * Decides when a message the provider will not return becomes an UnreadableMessage instead of
 * failing the page, which would make the follower retry the same page for ever and never see the
 * replies behind it. A refusal (4xx: PERMANENT) is final at once; a server error (5xx) counts only
 * when the page's listing just worked, and only for that message, so an outage (whose listing
 * fails first, or whose errors carry no HTTP status) never turns mail into unreadable messages.
 */
export class MessageFetchFailures {
  private readonly counts = new Map<string, number>();

  constructor(private readonly maxServerErrors = DEFAULT_MAX_MESSAGE_FETCH_FAILURES) {}

  /** The reason to record the message as unreadable, or null to let the error fail the page. */
  giveUp(id: string, error: MailProviderError): string | null {
    const status = error.providerStatus ?? 'no status';
    if (error.code === 'PERMANENT') {
      this.counts.delete(id);
      return `the provider refused to return the message (${status})`;
    }
    if (error.code !== 'TEMPORARY' || !/^5\d\d\b/.test(status)) return null;
    const failures = (this.counts.get(id) ?? 0) + 1;
    this.counts.delete(id);
    if (failures >= this.maxServerErrors) return `the provider failed to return the message ${failures} times in a row (${status})`;
    if (this.counts.size >= MAX_TRACKED) this.counts.delete(this.counts.keys().next().value!);
    this.counts.set(id, failures);
    return null;
  }

  succeeded(id: string): void {
    this.counts.delete(id);
  }
}
