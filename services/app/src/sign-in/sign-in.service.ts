import { BadRequestException, ForbiddenException, Inject, Injectable, ServiceUnavailableException } from '@nestjs/common';
import * as oidc from 'openid-client';
import { CLOCK, type Clock } from '@telltale/db';
import { ServiceRuntime } from '@telltale/runtime';
import { LessThan } from 'typeorm';
import { OrganizationsService } from '../organizations/organizations.service';
import { SignInAttempt } from '../sessions/session.entity';
import { UsersService } from '../users/users.service';
import type { User } from '../users/user.entity';
import { OidcClients } from './oidc-clients';

export const APP_ORIGIN = Symbol('APP_ORIGIN');
const ATTEMPT_TTL_MS = 10 * 60_000;

/** Where to go after sign-in: a path of this app only (no open redirect). */
export function safeReturnPath(value: unknown): string {
  if (typeof value !== 'string' || value.length > 1000) return '/';
  if (!value.startsWith('/') || value.startsWith('//') || value.includes('\\') || /[\u0000-\u001f]/.test(value)) return '/';
  return value;
}

/**
 * Sign-in with the organisation's OpenID provider: authorization code + PKCE (S256), state and nonce,
 * ID token validated by openid-client (signature, issuer, audience, expiry, nonce). The address
 * must be verified by the provider (`email_verified`). A person joins by invitation, or on first
 * sign-in from one of the organisation's sign-up domains (as a rep).
 */
@Injectable()
export class SignInService {
  constructor(
    private readonly runtime: ServiceRuntime,
    private readonly organizations: OrganizationsService,
    private readonly users: UsersService,
    private readonly clients: OidcClients,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(APP_ORIGIN) private readonly origin: string,
  ) {}

  private get attempts() {
    return this.runtime.dataSource.getRepository(SignInAttempt);
  }

  get redirectUri(): string {
    return `${this.origin}/auth/callback`;
  }

  /** The organisation an address signs in to: where it is a member or invited, else its sign-up domain. */
  async organisationFor(email: string): Promise<string | null> {
    const user = await this.users.findByEmail(email);
    if (user) return user.orgId;
    const domain = email.slice(email.lastIndexOf('@') + 1);
    return (await this.organizations.bySignUpDomain(domain))?.id ?? null;
  }

  async start(email: string, returnTo: string): Promise<{ authorizationUrl: string; state: string }> {
    const orgId = await this.organisationFor(email);
    // Same answer whether the address is unknown or its organisation has no provider: nothing to enumerate.
    const provider = orgId ? await this.organizations.provider(orgId) : null;
    if (!orgId || !provider) throw new ForbiddenException({ error: 'sign_in_not_available', message: 'This address cannot sign in to Telltale. Ask your administrator for an invitation.' });
    const config = await this.configuration(provider);
    const codeVerifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const nonce = oidc.randomNonce();
    const now = this.clock.now();
    await this.attempts.delete({ expiresAt: LessThan(now) });
    await this.attempts.insert({ state, orgId, nonce, codeVerifier, returnTo, expiresAt: new Date(now.getTime() + ATTEMPT_TTL_MS) });
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: this.redirectUri,
      scope: 'openid email profile',
      code_challenge: await oidc.calculatePKCECodeChallenge(codeVerifier),
      code_challenge_method: 'S256',
      state,
      nonce,
      login_hint: email,
    });
    return { authorizationUrl: url.href, state };
  }

  /** The provider sent the browser back: the attempt (used once), the code exchanged, the person found. */
  async complete(callbackUrl: URL, browserState: string | null): Promise<{ user: User; returnTo: string }> {
    const state = callbackUrl.searchParams.get('state') ?? '';
    if (callbackUrl.searchParams.has('error')) {
      throw new BadRequestException({ error: 'sign_in_refused', message: 'The identity provider did not sign you in. Try again.' });
    }
    // The state must be the one this browser was given (cookie), so a link from someone else signs no one in.
    if (!state || !browserState || state !== browserState) throw new BadRequestException({ error: 'sign_in_state_mismatch', message: 'This sign-in was not started in this browser. Start again.' });
    const [attempt] = (await this.attempts.query(`WITH used AS (DELETE FROM app.sign_in_attempt WHERE state = $1 RETURNING org_id, nonce, code_verifier, return_to, expires_at) SELECT * FROM used`, [state])) as {
      org_id: string;
      nonce: string;
      code_verifier: string;
      return_to: string;
      expires_at: Date;
    }[];
    if (!attempt || attempt.expires_at <= this.clock.now()) throw new BadRequestException({ error: 'sign_in_expired', message: 'This sign-in expired or was already used. Start again.' });
    const provider = await this.organizations.provider(attempt.org_id);
    if (!provider) throw new ForbiddenException({ error: 'sign_in_not_available', message: 'Your organisation has no identity provider any more.' });
    const config = await this.configuration(provider);
    let claims: oidc.IDToken | undefined;
    try {
      const tokens = await oidc.authorizationCodeGrant(config, callbackUrl, { pkceCodeVerifier: attempt.code_verifier, expectedState: state, expectedNonce: attempt.nonce, idTokenExpected: true });
      claims = tokens.claims();
    } catch (err) {
      this.runtime.logger.warn({ err: (err as Error).message, org_id: attempt.org_id }, 'sign-in code exchange refused');
      throw new BadRequestException({ error: 'sign_in_failed', message: 'The identity provider’s answer could not be verified. Start again.' });
    }
    const email = typeof claims?.email === 'string' ? claims.email.toLowerCase() : null;
    if (!email || claims?.email_verified !== true) throw new ForbiddenException({ error: 'email_not_verified', message: 'Your identity provider did not confirm your email address.' });
    const user = await this.memberFor(attempt.org_id, email);
    await this.users.signedIn(user, typeof claims?.name === 'string' ? claims.name : null);
    return { user, returnTo: attempt.return_to };
  }

  private async memberFor(orgId: string, email: string): Promise<User> {
    const existing = await this.users.findByEmail(email);
    if (existing) {
      if (existing.orgId !== orgId) throw new ForbiddenException({ error: 'not_a_member', message: 'This address belongs to another organisation.' });
      if (existing.status === 'disabled') throw new ForbiddenException({ error: 'user_disabled', message: 'Your Telltale account is disabled. Ask your administrator.' });
      return existing;
    }
    const org = await this.organizations.get(orgId);
    const domain = email.slice(email.lastIndexOf('@') + 1);
    if (!org.signUpDomains.includes(domain)) throw new ForbiddenException({ error: 'not_a_member', message: 'You have not been invited to this organisation.' });
    return this.users.add(orgId, email, 'rep', 'active', null);
  }

  private async configuration(provider: Parameters<OidcClients['configuration']>[0]): Promise<oidc.Configuration> {
    try {
      return await this.clients.configuration(provider);
    } catch (err) {
      this.runtime.logger.warn({ err: (err as Error).message, issuer: provider.issuer }, 'identity provider discovery failed');
      throw new ServiceUnavailableException({ error: 'identity_provider_unavailable', message: 'Your identity provider cannot be reached. Try again shortly.' });
    }
  }

  async endSessionUrl(orgId: string): Promise<string | null> {
    const provider = await this.organizations.provider(orgId);
    if (!provider) return null;
    try {
      const config = await this.clients.configuration(provider);
      return config.serverMetadata().end_session_endpoint ? oidc.buildEndSessionUrl(config, { post_logout_redirect_uri: `${this.origin}/`, client_id: provider.clientId }).href : null;
    } catch {
      return null;
    }
  }
}
