import { z } from 'zod';
import { defineTopic } from '../topic-definition';
import { Instant, Uuid } from '../primitives';

/**
 * `needs_reconnect`: Salesforce refused the stored grant (`invalid_grant`: revoked, expired, the
 * user deactivated, the certificate replaced). Activities for the organisation wait, none is lost,
 * until an admin connects again.
 */
export const CrmConnectionState = z.enum(['connected', 'needs_reconnect', 'disconnected']);

export const CrmConnectionChanged = z.object({
  orgId: Uuid,
  crm: z.literal('salesforce'),
  /** How the organisation connected: the OAuth 2.0 web-server flow (PKCE) or the JWT bearer flow. */
  flow: z.enum(['web_server', 'jwt_bearer']),
  previousState: CrmConnectionState.nullable(),
  state: CrmConnectionState,
  /** The Salesforce org (00D…) and its instance, once known. */
  salesforceOrgId: z.string().min(15).max(18).nullable(),
  instanceUrl: z.string().max(2000).nullable(),
  /** Why, in words an admin can act on; never a token. */
  reason: z.string().max(2000).nullable(),
  /** The OAuth error behind `needs_reconnect` (e.g. invalid_grant). */
  errorCode: z.string().max(100).nullable(),
  changedAt: Instant,
});
export type CrmConnectionChanged = z.infer<typeof CrmConnectionChanged>;

export const crmConnectionChangedTopic = defineTopic({
  name: 'crm.connection-changed.v1',
  eventType: 'crm.connection-changed',
  title: 'CRM connection changed',
  description: "An organisation's Salesforce connection moved between states (connected, needs_reconnect, disconnected).",
  schema: CrmConnectionChanged,
  keyOf: (p) => p.orgId,
  keyDescription: 'orgId',
  producers: ['crm-writer'],
  consumers: [],
});
