import type { InboundMessage, UnreadableMessage } from './inbound-message';
import type { MailProvider } from './mail-provider-error';

/** One page of new inbound messages and the cursor to persist once they are recorded. */
export interface MailboxChangePage {
  messages: InboundMessage[];
  /** Messages of this page that could not be read: recorded as such, so the cursor moves past them. */
  unreadable?: UnreadableMessage[];
  /** Opaque to callers; persist it on the connection only after every message above was recorded. */
  cursor: string;
  /** True while the provider has more pages right now (initial sync, a long history). */
  hasMore: boolean;
}

/**
 * The one "changes since cursor" interface every provider adapter implements (Gmail history, Graph
 * delta, IMAP UIDs). A null cursor means a full sync of the recent window. Adapters throw
 * MailProviderError only; CURSOR_EXPIRED tells the caller to start over with a null cursor
 * (decideProviderErrorAction → resync). Pages are bounded, so memory is too.
 */
export interface MailboxChangeSource {
  readonly provider: MailProvider;
  changesSince(cursor: string | null): Promise<MailboxChangePage>;
}
