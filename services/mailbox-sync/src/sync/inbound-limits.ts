import type { InboundLimits } from '@telltale/mail';

/** Injection token: the size, MIME parts and nesting limits every follower reads inbound mail with. */
export const INBOUND_LIMITS = Symbol('INBOUND_LIMITS');
export type { InboundLimits };
