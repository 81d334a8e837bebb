import { Inject, Injectable } from '@nestjs/common';
import { MailboxMessageReceived, mailboxMessageReceivedTopic } from '@telltale/contracts';
import { CLOCK, type Clock } from '@telltale/db';
import { fitProviderId, truncateChars, type InboundMessage, type UnreadableMessage } from '@telltale/mail';
import { counter, ServiceRuntime, type Counter } from '@telltale/runtime';
import type { z } from 'zod';
import type { MailboxRow } from '../mailboxes/mailbox-record';

type Mailbox = Pick<MailboxRow, 'id' | 'org_id' | 'email_address'>;

/** Enough of zod's account to act on, none of the values (they are message content). */
function describeIssues(error: z.ZodError): string {
  const issues = error.issues.slice(0, 5).map((issue) => `${issue.path.join('.') || '(event)'}: ${issue.message}`);
  return truncateChars(`does not fit ${mailboxMessageReceivedTopic.name}: ${issues.join('; ')}`, 1000);
}

/**
 * Turns one new inbound message into exactly one `mailbox.message-received.v1`: deduplicated by
 * provider id (and by RFC Message-ID, for one message seen in two folders), in one transaction with
 * the outbox row. A message that does not fit the event contract even after the parser cut it down
 * is recorded as unreadable instead: one bad message never stops the mailbox's sync.
 */
@Injectable()
export class RecordInboundMessageUseCase {
  /** Messages passed over as unreadable, by why: not a message at all, or outside the event contract. */
  private readonly unreadableCount: Counter<'reason'>;

  constructor(
    private readonly runtime: ServiceRuntime,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {
    this.unreadableCount = counter(runtime.metrics, {
      name: 'telltale_mailbox_unreadable_messages_total',
      help: 'Inbound messages recorded as unreadable and passed over, by reason: not_a_message or outside_contract.',
      labelNames: ['reason'],
    });
  }

  async execute(mailbox: Mailbox, message: InboundMessage): Promise<boolean> {
    const payload = { orgId: mailbox.org_id, mailboxId: mailbox.id, mailboxAddress: mailbox.email_address, message };
    const checked = MailboxMessageReceived.safeParse(payload);
    if (!checked.success) {
      await this.recordUnreadable(mailbox, { providerMessageId: message.providerMessageId, folder: message.folder, reason: describeIssues(checked.error) }, 'outside_contract');
      return false;
    }
    return this.runtime.transaction(async (m) => {
      const inserted = (await m.query(
        `INSERT INTO mailbox_sync.received_message (mailbox_id, provider_message_id, message_id, folder) VALUES ($1, $2, $3, $4)
         ON CONFLICT DO NOTHING RETURNING provider_message_id`,
        [mailbox.id, message.providerMessageId, message.messageId, message.folder],
      )) as unknown[];
      if (inserted.length === 0) return false;
      await this.runtime.outbox.enqueue(m, mailboxMessageReceivedTopic, payload, { orgId: mailbox.org_id });
      return true;
    });
  }

  /** Once per provider message: the row with its reason, and the mailbox's count, in one transaction. */
  async recordUnreadable(mailbox: Mailbox, message: UnreadableMessage, kind: 'not_a_message' | 'outside_contract' = 'not_a_message'): Promise<boolean> {
    const providerMessageId = fitProviderId(message.providerMessageId);
    const recorded = await this.runtime.transaction(async (m) => {
      const inserted = (await m.query(
        `INSERT INTO mailbox_sync.unreadable_message (mailbox_id, provider_message_id, folder, reason, recorded_at) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT DO NOTHING RETURNING provider_message_id`,
        [mailbox.id, providerMessageId, truncateChars(message.folder, 500), truncateChars(message.reason, 1000), this.clock.now()],
      )) as unknown[];
      if (inserted.length === 0) return false;
      await m.query(`UPDATE mailbox_sync.mailbox SET unreadable_count = unreadable_count + 1 WHERE id = $1`, [mailbox.id]);
      return true;
    });
    if (recorded) {
      this.unreadableCount.inc({ reason: kind });
      this.runtime.logger.warn(
        { mailbox_id: mailbox.id, org_id: mailbox.org_id, provider_message_id: providerMessageId, folder: message.folder, reason: message.reason },
        'inbound message recorded as unreadable; the sync moves past it',
      );
    }
    return recorded;
  }
}
