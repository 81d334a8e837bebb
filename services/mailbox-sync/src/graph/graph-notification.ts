import { timingSafeEqual } from 'node:crypto';
import { z } from 'zod';

const MAX_NOTIFICATIONS = 1_000;

/**
 * The largest body mailbox-sync reads (its JSON body limit): a collection of MAX_NOTIFICATIONS
 * notifications of about 3 kB each (the fields below at their limits, plus the ids and dates Graph
 * adds). Every other route's body is far smaller.
 */
export const GRAPH_NOTIFICATION_MAX_BYTES = MAX_NOTIFICATIONS * 3 * 1024 + 64 * 1024;

/** Change notification collection (https://learn.microsoft.com/graph/change-notifications-delivery-webhooks). */
export const GraphNotificationBody = z.object({
  value: z
    .array(
      z.looseObject({
        subscriptionId: z.string().max(200),
        clientState: z.string().max(256).nullish(),
        changeType: z.string().max(50).optional(),
        resource: z.string().max(2000).optional(),
        /** Present on lifecycle notifications (https://learn.microsoft.com/graph/change-notifications-lifecycle-events). */
        lifecycleEvent: z.string().max(100).optional(),
      }),
    )
    .max(MAX_NOTIFICATIONS),
});

/** clientState is the secret proving a notification came from our subscription; compared in constant time. */
export function clientStateMatches(presented: string | null | undefined, stored: string | null): boolean {
  if (!presented || !stored) return false;
  const a = Buffer.from(presented);
  const b = Buffer.from(stored);
  return a.length === b.length && timingSafeEqual(a, b);
}
