import { ForbiddenException, Injectable, UnauthorizedException, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { ACCESS_METADATA, type RouteAccess } from './access.decorators';
import { InvalidIdentityToken, type Caller, type IdentityTokenVerifier } from './identity-token';
import { identifyServiceCaller } from './service-credentials';

export interface CallerGuardSettings {
  /** Absent: no identity key set configured, so every member route answers 401 (fail closed). */
  verifier: IdentityTokenVerifier | null;
  /** Digests of the services allowed to call internal routes, by name (INTERNAL_CALLERS). */
  internalCallers: ReadonlyMap<string, Buffer>;
  /**
   * Authenticates member routes some other way than a bearer identity token: the app service's
   * session cookie (with its CSRF check) or API key. Throws the 401/403 itself.
   */
  authenticate?: (req: CallerRequest) => Promise<Caller>;
}

export type CallerRequest = Request & { caller?: Caller; serviceCaller?: string };

const READ_METHODS = new Set(['GET', 'HEAD']);

export function bearer(req: Request): string {
  const header = req.headers.authorization;
  if (typeof header !== 'string') return '';
  const match = /^Bearer[ ]+([A-Za-z0-9._~+/=-]{1,4096})$/.exec(header.trim());
  return match?.[1] ?? '';
}

export const unauthenticated = (message: string) => new UnauthorizedException({ error: 'unauthenticated', message });

/** Whether an API key's scopes allow `resource` for this method (`write` implies `read`). */
export function scopeAllows(scopes: ReadonlySet<string> | null, resource: string | null, method: string): boolean {
  if (scopes === null || resource === null) return true;
  if (scopes.has('write') || scopes.has(`${resource}:write`)) return true;
  return READ_METHODS.has(method) && (scopes.has('read') || scopes.has(`${resource}:read`));
}

/**
 * Every request proves who it is (global guard of every service): a route is public, internal (a
 * named service's own credential) or for members (a verified identity token; roles and API key
 * scopes checked here; other organisations' objects are the service's 404). A route that declares
 * none of these is refused: forgetting is never an open door.
 */
@Injectable()
export class CallerGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly settings: CallerGuardSettings,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') return true;
    const access = this.reflector.getAllAndOverride<RouteAccess | undefined>(ACCESS_METADATA, [context.getHandler(), context.getClass()]);
    const req = context.switchToHttp().getRequest<CallerRequest>();
    if (!access) throw new ForbiddenException({ error: 'route_not_classified', message: 'This route declares no access rule.' });
    if (access.kind === 'public') return true;
    const token = bearer(req);
    if (access.kind === 'internal') {
      const caller = identifyServiceCaller(token, access.callers, this.settings.internalCallers);
      if (!caller) throw unauthenticated('This internal route needs the credential of a service allowed to call it.');
      req.serviceCaller = caller;
      return true;
    }
    const caller = this.settings.authenticate ? await this.settings.authenticate(req) : await this.verifyToken(token);
    if (access.roles.length > 0 && !access.roles.some((r) => caller.roles.includes(r))) {
      throw new ForbiddenException({ error: 'forbidden', message: `This needs the ${access.roles.join(' or ')} role.` });
    }
    if (!scopeAllows(caller.scopes, access.resource, req.method)) {
      const needed = READ_METHODS.has(req.method) ? 'read' : 'write';
      throw new ForbiddenException({ error: 'insufficient_scope', message: `This API key needs the ${access.resource}:${needed} scope.` });
    }
    req.caller = caller;
    return true;
  }

  private async verifyToken(token: string): Promise<Caller> {
    if (!token) throw unauthenticated('Sign in, or send an API key, as `Authorization: Bearer <token>`.');
    if (!this.settings.verifier) throw unauthenticated('This service has no identity key set configured.');
    try {
      return await this.settings.verifier.verify(token);
    } catch (err) {
      if (err instanceof InvalidIdentityToken) throw unauthenticated(`The bearer token was refused: ${err.reason}.`);
      throw unauthenticated('The bearer token could not be verified.');
    }
  }
}
