import { z } from 'zod';
import { defineTopic } from '../topic-definition';
import { Instant, Uuid } from '../primitives';

/**
 * `degraded`: the mailbox is still followed but its server cannot be reached right now (retried
 * with backoff; back to `connected` when it answers again). Nothing needs the user, and sending and
 * enrolling go on: consumers treat it like `connected`.
 */
export const MailboxConnectionState = z.enum(['connected', 'syncing', 'degraded', 'needs_reconnect', 'disconnected']);

export const MailboxConnectionChanged = z.object({
  orgId: Uuid,
  mailboxId: Uuid,
  provider: z.enum(['gmail', 'graph', 'imap']),
  emailAddress: z.string().max(320),
  previousState: MailboxConnectionState.nullable(),
  state: MailboxConnectionState,
  /** Why, in words a user can act on; never a token. */
  reason: z.string().max(2000).nullable(),
  /** The provider error's code behind `degraded` or `needs_reconnect` (e.g. TEMPORARY, AUTH_REVOKED). Optional: absent from older events. */
  errorCode: z.string().max(100).nullable().optional(),
  changedAt: Instant,
  /** The user who connected the mailbox, once known (the feed shows its mail to them). Optional: absent from older events. */
  ownerUserId: Uuid.nullable().optional(),
});
export type MailboxConnectionChanged = z.infer<typeof MailboxConnectionChanged>;

export const mailboxConnectionChangedTopic = defineTopic({
  name: 'mailbox.connection-changed.v1',
  eventType: 'mailbox.connection-changed',
  title: 'Mailbox connection changed',
  description: 'A mailbox connection moved between states (connected, syncing, degraded, needs_reconnect, disconnected).',
  schema: MailboxConnectionChanged,
  keyOf: (p) => p.mailboxId,
  keyDescription: 'mailboxId',
  producers: ['mailbox-sync'],
  consumers: ['sequencer', 'app'],
});
