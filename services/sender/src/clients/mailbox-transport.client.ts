import { z } from 'zod';
import { InternalCallError, internalRequest } from './internal-http';

export const MailboxTransport = z.object({
  mailboxId: z.string(),
  orgId: z.string(),
  emailAddress: z.string(),
  state: z.enum(['connected', 'syncing', 'needs_reconnect', 'disconnected']),
  provider: z.literal('imap'),
  smtp: z.object({
    host: z.string(),
    port: z.number().int(),
    secure: z.boolean(),
    auth: z.object({ user: z.string(), pass: z.string() }).nullable(),
  }),
});
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

  async get(mailboxId: string): Promise<MailboxTransport | null> {
    const hit = this.cache.get(mailboxId);
    if (hit && hit.expires > Date.now()) return hit.value;
    const { status, body } = await internalRequest(`${this.baseUrl}/internal/v1/mailboxes/${mailboxId}/transport`, { method: 'GET', token: this.token });
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
