import { z } from 'zod';
import { defineTopic } from '../topic-definition';
import { Instant, Uuid } from '../primitives';

export const CrmActivityLogged = z.object({
  orgId: Uuid,
  /** Our idempotency key for the activity, e.g. `email-sent:<sentEmailId>`. */
  activityKey: z.string().min(1).max(200),
  sourceEventType: z.string().max(200),
  crm: z.literal('salesforce'),
  sobject: z.literal('Task'),
  recordId: z.string().min(15).max(18),
  whoId: z.string().min(15).max(18).nullable(),
  whoType: z.enum(['Contact', 'Lead']).nullable(),
  loggedAt: Instant,
});
export type CrmActivityLogged = z.infer<typeof CrmActivityLogged>;

export const crmActivityLoggedTopic = defineTopic({
  name: 'crm.activity-logged.v1',
  eventType: 'crm.activity-logged',
  title: 'CRM activity logged',
  description: 'An activity was written to the org\'s Salesforce (exactly once per activity key).',
  schema: CrmActivityLogged,
  keyOf: (p) => p.activityKey,
  keyDescription: 'activityKey',
  producers: ['crm-writer'],
  consumers: [],
});
