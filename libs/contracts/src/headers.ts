import { z } from 'zod';
import { Instant, Uuid } from './primitives';

/** Header names carried by every Telltale event (docs/architecture.md, Topics). */
export const EventHeaderName = {
  eventId: 'event-id',
  eventType: 'event-type',
  occurredAt: 'occurred-at',
  orgId: 'org-id',
  traceparent: 'traceparent',
  tracestate: 'tracestate',
} as const;

export const EventHeaders = z.object({
  'event-id': Uuid,
  'event-type': z.string().min(1).max(200),
  'occurred-at': Instant,
  'org-id': Uuid,
  /** W3C Trace Context, https://www.w3.org/TR/trace-context/#traceparent-header */
  traceparent: z
    .string()
    .regex(/^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/)
    .optional(),
  tracestate: z.string().max(512).optional(),
});
export type EventHeaders = z.infer<typeof EventHeaders>;
