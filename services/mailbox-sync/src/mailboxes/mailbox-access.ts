import { NotFoundException } from '@nestjs/common';
import { ownsOrOversees, type Caller } from '@telltale/runtime';
import type { MailboxRow } from './mailbox-record';

/**
 * Who sees which mailbox (docs/architecture.md, Identity and tenancy): managers, admins and API
 * keys see the organisation's; a rep sees the mailboxes they connected. Another's is a 404, as for
 * another organisation's, so ids reveal nothing.
 */
export function canSeeMailbox(caller: Caller, row: Pick<MailboxRow, 'org_id' | 'owner_user_id'>): boolean {
  return row.org_id === caller.orgId && ownsOrOversees(caller, row.owner_user_id);
}

export function requireVisibleMailbox<R extends Pick<MailboxRow, 'org_id' | 'owner_user_id'>>(caller: Caller, row: R): R {
  if (!canSeeMailbox(caller, row)) throw new NotFoundException({ error: 'mailbox_not_found' });
  return row;
}
