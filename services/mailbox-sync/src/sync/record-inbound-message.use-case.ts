import { Injectable } from '@nestjs/common';
import { mailboxMessageReceivedTopic } from '@telltale/contracts';
import type { InboundMessage } from '@telltale/mail';
import { ServiceRuntime } from '@telltale/runtime';
import type { MailboxRow } from '../mailboxes/mailbox-record';

/**
 * Turns one new inbound message into exactly one `mailbox.message-received.v1`: deduplicated by
 * provider id (and by RFC Message-ID, for one message seen in two folders), in one transaction with
 * the outbox row.
 */
@Injectable()
export class RecordInboundMessageUseCase {
  constructor(private readonly runtime: ServiceRuntime) {}

  async execute(mailbox: Pick<MailboxRow, 'id' | 'org_id' | 'email_address'>, message: InboundMessage): Promise<boolean> {
    return this.runtime.transaction(async (m) => {
      const inserted = (await m.query(
        `INSERT INTO mailbox_sync.received_message (mailbox_id, provider_message_id, message_id, folder) VALUES ($1, $2, $3, $4)
         ON CONFLICT DO NOTHING RETURNING provider_message_id`,
        [mailbox.id, message.providerMessageId, message.messageId, message.folder],
      )) as unknown[];
      if (inserted.length === 0) return false;
      await this.runtime.outbox.enqueue(
        m,
        mailboxMessageReceivedTopic,
        { orgId: mailbox.org_id, mailboxId: mailbox.id, mailboxAddress: mailbox.email_address, message },
        { orgId: mailbox.org_id },
      );
      return true;
    });
  }
}
