import { z } from 'zod';
import { MailboxConnectionState } from '@telltale/contracts';
import { InternalCallError, internalRequest } from './internal-http';

/** mailbox-sync's states, from the contract (a `degraded` mailbox, whose IMAP server is unreachable, still sends). */
const MailboxState = MailboxConnectionState;
const common = {
  mailboxId: z.string(),
  orgId: z.string(),
  /** The rep who connected it (null: before owners were recorded): a rep sends and reads only through their own. */
  ownerUserId: z.string().nullable().default(null),
  emailAddress: z.string(),
  state: MailboxState,
};

export const MailboxTransport = z.discriminatedUnion('provider', [
  z.object({
    ...common,
    provider: z.literal('imap'),
    smtp: z.object({
      /** An address mailbox-sync resolved and checked just now; `servername` is the server's name, for TLS. */
      host: z.string(),
      servername: z.string().optional(),
      port: z.number().int(),
      secure: z.boolean(),
      auth: z.object({ user: z.string(), pass: z.string() }).nullable(),
    }),
    /** The mailbox's IMAP server (checked the same way), where the sender looks in Sent for a send it could not record; absent when not handed out. */
    imap: z
      .object({ host: z.string(), servername: z.string().optional(), port: z.number().int(), secure: z.boolean(), auth: z.object({ user: z.string(), pass: z.string() }) })
      .optional(),
  }),
  z.object({
    ...common,
    provider: z.literal('gmail'),
    /** Null when the mailbox cannot send (needs_reconnect): no token is handed out. */
    gmail: z.object({ apiRootUrl: z.url(), accessToken: z.string().min(1), expiresAt: z.string().nullable() }).nullable(),
  }),
  z.object({
    ...common,
    provider: z.literal('graph'),
    /** caPem is only set for a local Graph (tests); the token is short-lived, never the refresh token. */
    graph: z.object({ origin: z.url(), caPem: z.string().nullable(), accessToken: z.string().min(1), expiresAt: z.string().nullable() }).nullable(),
  }),
]);
export type MailboxTransport = z.infer<typeof MailboxTransport>;

/**
 * Send credentials come from mailbox-sync, which owns connections and keeps secrets encrypted at
 * rest; the sender holds them only in memory, briefly.
 */
export class MailboxTransportClient {
  private readonly cache = new Map<string, { value: MailboxTransport | null; expires: number }>();

  constructor(
    private readonly baseUrl: string,
    private readonly token: string,
    private readonly ttlMs = 30_000,
  ) {}

  /**
   * `refresh`: the provider refused the token we were given (401), so skip the cache and have
   * mailbox-sync refresh it; if the grant is gone, mailbox-sync moves the mailbox to needs_reconnect
   * and says so here.
   */
  async get(mailboxId: string, options: { refresh?: boolean } = {}): Promise<MailboxTransport | null> {
    const hit = this.cache.get(mailboxId);
    if (!options.refresh && hit && hit.expires > Date.now()) return hit.value;
    const query = options.refresh ? '?refresh=true' : '';
    const { status, body } = await internalRequest(`${this.baseUrl}/internal/v1/mailboxes/${mailboxId}/transport${query}`, { method: 'GET', token: this.token });
    let value: MailboxTransport | null;
    if (status === 404) value = null;
    else if (status === 200) {
      const parsed = MailboxTransport.safeParse(body);
      if (!parsed.success) throw new InternalCallError('mailbox-sync returned a malformed transport', status);
      value = parsed.data;
    } else throw new InternalCallError(`mailbox-sync answered ${status}`, status);
    this.cache.set(mailboxId, { value, expires: Date.now() + this.ttlMs });
    return value;
  }
}
