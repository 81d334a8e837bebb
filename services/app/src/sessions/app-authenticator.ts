import { ForbiddenException, Inject, Injectable } from '@nestjs/common';
import { parse as parseCookies } from 'cookie';
import { bearer, unauthenticated, type Caller, type CallerRequest } from '@telltale/runtime';
import { ApiKeysService, isApiKeyToken } from '../api-keys/api-keys.service';
import { APP_ORIGIN } from '../sign-in/sign-in.service';
import { UsersService } from '../users/users.service';
import type { Session } from './session.entity';
import { SessionsService, sameSecret } from './sessions.service';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Cookie names: `__Host-` (Secure, Path=/, no Domain) whenever the app is served over TLS. */
export function cookieNames(secure: boolean): { session: string; signIn: string } {
  return secure ? { session: '__Host-tt_session', signIn: '__Host-tt_sign_in' } : { session: 'tt_session', signIn: 'tt_sign_in' };
}

export type AppRequest = CallerRequest & { session?: Session };

/** Late-bound: the runtime's guard is built before Nest creates the authenticator. */
export class AuthenticatorSlot {
  current: AppAuthenticator | null = null;
  authenticate = (req: CallerRequest): Promise<Caller> => {
    if (!this.current) throw unauthenticated('The app is starting.');
    return this.current.authenticate(req);
  };
}

/**
 * Who calls the app: an API key (`Authorization: Bearer ttk_…`) or a browser session cookie. Every
 * state-changing request of a session carries its CSRF token in `x-csrf-token`, and an `Origin`
 * (when the browser sends one) of this app; API keys are not cookies, so no CSRF applies.
 */
@Injectable()
export class AppAuthenticator {
  private readonly cookies: { session: string; signIn: string };

  constructor(
    private readonly sessions: SessionsService,
    private readonly users: UsersService,
    private readonly apiKeys: ApiKeysService,
    @Inject(APP_ORIGIN) private readonly origin: string,
    slot: AuthenticatorSlot,
  ) {
    this.cookies = cookieNames(origin.startsWith('https:'));
    slot.current = this;
  }

  async authenticate(req: AppRequest): Promise<Caller> {
    const token = bearer(req);
    if (token || req.headers.authorization) {
      if (!token || !isApiKeyToken(token)) throw unauthenticated('The app takes an API key (`Authorization: Bearer ttk_…`) or a signed-in browser.');
      const key = await this.apiKeys.authenticate(token);
      if (!key) throw unauthenticated('This API key is unknown or was revoked.');
      return { orgId: key.orgId, userId: null, subject: `api_key:${key.id}`, kind: 'api_key', roles: [key.role], scopes: new Set(key.scopes), email: null };
    }
    const secret = parseCookies(req.headers.cookie ?? '')[this.cookies.session];
    const session = secret ? await this.sessions.resume(secret) : null;
    if (!session) throw unauthenticated('Sign in first (your session may have expired).');
    const user = await this.users.findInOrg(session.orgId, session.userId);
    if (!user || user.status !== 'active') throw unauthenticated('Your account is not active.');
    if (!SAFE_METHODS.has(req.method)) {
      const presented = req.headers['x-csrf-token'];
      const origin = req.headers.origin;
      if (typeof presented !== 'string' || !sameSecret(presented, session.csrfToken) || (origin !== undefined && origin !== this.origin)) {
        throw new ForbiddenException({ error: 'csrf_check_failed', message: 'This request did not come from the Telltale app (missing or wrong x-csrf-token).' });
      }
    }
    req.session = session;
    return { orgId: user.orgId, userId: user.id, subject: `user:${user.id}`, kind: 'user', roles: [user.role], scopes: null, email: user.email };
  }
}
