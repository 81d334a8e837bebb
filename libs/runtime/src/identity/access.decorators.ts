import { SetMetadata, createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { Caller, Role } from './identity-token';

/**
 * How each route says who may call it (docs/architecture.md, Identity and tenancy). A route with
 * none of these needs a signed-in member of the organisation (any role) or an API key with the
 * route's resource scope; the authorization matrix test reads the same metadata.
 */
export const ACCESS_METADATA = 'telltale:access';

/** What an API key's scopes name (`<resource>:read`, `<resource>:write`; `read`/`write` for all). */
export const API_RESOURCES = ['mailboxes', 'sequences', 'enrollments', 'emails', 'engagement', 'devices', 'office-ranges', 'users', 'api-keys', 'sessions', 'organization', 'documents'] as const;
export type ApiResource = (typeof API_RESOURCES)[number];

export type RouteAccess =
  /** Anyone: recipient-facing tracking routes, health, provider webhooks that verify their own signature. */
  | { kind: 'public'; reason: string }
  /** Another Telltale service, by name (its own credential). */
  | { kind: 'internal'; callers: readonly string[] }
  /** A person or API key of the organisation; `roles` empty means any role. */
  /** `resource` null: forwarded to the service that owns it, which checks roles and scopes itself (the app's gateway). */
  | { kind: 'member'; resource: string | null; roles: readonly Role[] };

export const PUBLIC_REASONS = ['recipient', 'health', 'webhook', 'sign-in', 'keys', 'docs'] as const;

/** No credential: say why (`recipient`, `health`, `webhook`, `sign-in`, `keys`, `docs`), so the matrix can check the list. */
export const Public = (reason: (typeof PUBLIC_REASONS)[number]) => SetMetadata(ACCESS_METADATA, { kind: 'public', reason } satisfies RouteAccess);

/** Only the named services, each with its own credential. */
export const Internal = (...callers: string[]) => SetMetadata(ACCESS_METADATA, { kind: 'internal', callers } satisfies RouteAccess);

/**
 * Members of the organisation; `roles` restricts to those roles (403 otherwise). `resource` names
 * what an API key needs in scope (`<resource>:read` for GET/HEAD, `<resource>:write` otherwise).
 */
export const Members = (resource: ApiResource, ...roles: Role[]) => SetMetadata(ACCESS_METADATA, { kind: 'member', resource, roles } satisfies RouteAccess);

/** Any authenticated member; the service the request is forwarded to checks roles and scopes. */
export const Forwarded = () => SetMetadata(ACCESS_METADATA, { kind: 'member', resource: null, roles: [] } satisfies RouteAccess);

/** The verified caller of a `@Members` route. */
export const CurrentCaller = createParamDecorator((_data: unknown, ctx: ExecutionContext): Caller => {
  const caller = ctx.switchToHttp().getRequest<{ caller?: Caller }>().caller;
  if (!caller) throw new Error('CurrentCaller used on a route without @Members');
  return caller;
});
