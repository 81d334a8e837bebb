import { z } from 'zod';
import { defineTopic } from '../topic-definition';
import { EmailAddress, Instant, Uuid } from '../primitives';

/**
 * A recipient unsubscribed through the List-Unsubscribe URL of a sequence email (RFC 8058): by the
 * mail client's one-click POST, or by the confirm button of the page a click opens. The token named
 * the organisation, the enrollment and the address; the tracker verified its signature.
 */
export const UnsubscribeRequested = z.object({
  /** Derived from the token: the same unsubscribe twice has the same id (idempotent). */
  unsubscribeId: Uuid,
  orgId: Uuid,
  enrollmentId: Uuid,
  address: EmailAddress,
  via: z.enum(['one_click', 'unsubscribe_page']),
  occurredAt: Instant,
});
export type UnsubscribeRequested = z.infer<typeof UnsubscribeRequested>;

export const unsubscribeRequestedTopic = defineTopic({
  name: 'unsubscribe.requested.v1',
  eventType: 'unsubscribe.requested',
  title: 'Unsubscribe requested',
  description:
    'A recipient unsubscribed by one-click POST or the unsubscribe page (the tracker serves /u/{token}). The sequencer stops the enrollment with reason unsubscribed and suppresses the address.',
  schema: UnsubscribeRequested,
  keyOf: (p) => p.enrollmentId,
  keyDescription: 'enrollmentId',
  producers: ['tracker'],
  consumers: ['sequencer'],
});
