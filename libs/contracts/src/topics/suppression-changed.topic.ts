import { z } from 'zod';
import { defineTopic } from '../topic-definition';
import { EmailAddress, Instant, Uuid } from '../primitives';

/** Why an address is on an organisation's suppression list. */
export const SUPPRESSION_REASONS = ['hard_bounce', 'unsubscribed', 'complaint', 'manual'] as const;
export const SuppressionReason = z.enum(SUPPRESSION_REASONS);
export type SuppressionReason = z.infer<typeof SuppressionReason>;

/**
 * What put the address on the list: a hard bounce (`id` the bounceId), a human reply asking to stop
 * (the replyId), a one-click or page unsubscribe (the unsubscribeId), a complaint (the replyId of the
 * feedback report) or a person (`id` their user id, null for an API key).
 */
export const SuppressionSource = z.object({
  kind: z.enum(['bounce', 'reply', 'one_click', 'unsubscribe_page', 'complaint', 'person']),
  id: z.string().max(200).nullable(),
  /** A short human description (the bounce's status code, the person's note…), never a message body. */
  detail: z.string().max(500).nullable(),
});
export type SuppressionSource = z.infer<typeof SuppressionSource>;

export const SuppressionChanged = z.object({
  suppressionId: Uuid,
  orgId: Uuid,
  /** Lower-cased. An entry is the organisation's only: no other organisation ever sees it. */
  address: EmailAddress,
  /** added: no enrolment or send may reach the address from now on; lifted: an admin took the entry off. */
  change: z.enum(['added', 'lifted']),
  reason: SuppressionReason,
  source: SuppressionSource,
  /** When the address was suppressed. */
  since: Instant,
  /** lifted: why (the admin's words) and by whom (null for an API key). */
  liftReason: z.string().max(500).nullable(),
  liftedBy: Uuid.nullable(),
  occurredAt: Instant,
});
export type SuppressionChanged = z.infer<typeof SuppressionChanged>;

export const suppressionChangedTopic = defineTopic({
  name: 'suppression.changed.v1',
  eventType: 'suppression.changed',
  title: 'Suppression list changed',
  description:
    "An address was put on an organisation's suppression list (hard bounce, unsubscribe, complaint, by hand) or lifted from it. The sequencer owns the list and writes this in the same transaction as the change; the sender keeps a projection and refuses to send to a suppressed address.",
  schema: SuppressionChanged,
  keyOf: (p) => `${p.orgId}:${p.address}`,
  keyDescription: 'orgId:address',
  producers: ['sequencer'],
  consumers: ['sender'],
});
