import { ConflictException, Injectable, NotFoundException, UnprocessableEntityException } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { sameMailboxAddress, type MailboxConnectionChanged } from '@telltale/contracts';
import { ServiceRuntime } from '@telltale/runtime';

export interface KnownMailbox {
  id: string;
  orgId: string;
  emailAddress: string;
  state: MailboxConnectionChanged['state'];
}

/**
 * The mailboxes the sequencer knows, each in its latest state, from mailbox.connection-changed.v1
 * (mailbox-sync publishes one for every connection, reconnection and change). A mailbox connected a
 * moment ago is known once its event arrived (normally well under a second); until then it is
 * unknown, and an enrolment naming it is refused like another organisation's (404
 * mailbox_not_found), to be tried again.
 */
@Injectable()
export class MailboxDirectory {
  constructor(private readonly runtime: ServiceRuntime) {}

  /** Applies one event; an older one than what is stored (a redelivery after a newer one) changes nothing. */
  async record(m: EntityManager, event: MailboxConnectionChanged): Promise<void> {
    await m.query(
      `INSERT INTO sequencer.mailbox (id, org_id, email_address, state, changed_at) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (id) DO UPDATE SET org_id = excluded.org_id, email_address = excluded.email_address, state = excluded.state, changed_at = excluded.changed_at
       WHERE sequencer.mailbox.changed_at <= excluded.changed_at`,
      [event.mailboxId, event.orgId, event.emailAddress, event.state, new Date(event.changedAt)],
    );
  }

  /**
   * The mailbox an enrolment sends from: one of the organisation's (404 `mailbox_not_found`
   * otherwise, also for one connected too recently to be known yet), not disconnected (409
   * `mailbox_disconnected`), with `from` its own address (422 `from_not_mailbox_address`), so every
   * step goes out as that mailbox.
   */
  async requireSendingMailbox(orgId: string, mailboxId: string, from: string): Promise<KnownMailbox> {
    const mailbox = await this.find(orgId, mailboxId);
    if (!mailbox) {
      throw new NotFoundException({ error: 'mailbox_not_found', field: 'mailboxId', message: 'No mailbox with this id is connected in your organisation (one connected seconds ago may not be known yet: try again).' });
    }
    if (mailbox.state === 'disconnected') throw new ConflictException({ error: 'mailbox_disconnected', field: 'mailboxId', message: `${mailbox.emailAddress} was disconnected; connect it again to send from it.` });
    if (!sameMailboxAddress(from, mailbox.emailAddress)) {
      throw new UnprocessableEntityException({
        error: 'from_not_mailbox_address',
        field: 'from.address',
        message: `the From address ${from} is not the mailbox's own address (${mailbox.emailAddress}); a mailbox sends as itself only`,
      });
    }
    return mailbox;
  }

  /** The organisation's mailbox, or null (unknown, or another organisation's). */
  async find(orgId: string, mailboxId: string): Promise<KnownMailbox | null> {
    const [row] = (await this.runtime.dataSource.query(`SELECT id, org_id, email_address, state FROM sequencer.mailbox WHERE id = $1 AND org_id = $2`, [mailboxId, orgId])) as {
      id: string;
      org_id: string;
      email_address: string;
      state: KnownMailbox['state'];
    }[];
    return row ? { id: row.id, orgId: row.org_id, emailAddress: row.email_address, state: row.state } : null;
  }
}
