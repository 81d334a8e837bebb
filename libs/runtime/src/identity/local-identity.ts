import { randomUUID } from 'node:crypto';
import { IdentityTokenIssuer, type Role } from './identity-token';
import { generateServiceCredential } from './service-credentials';

export interface LocalCallerOptions {
  /** Default: one stable user per organisation (the same person across calls). */
  userId?: string;
  /** Default: admin. */
  roles?: Role[];
  /** Present: an API key's token with these scopes. */
  apiKeyScopes?: string[];
  email?: string;
}

/**
 * An identity issuer and service credentials made on the spot, for processes that start the services
 * themselves (tests, benchmarks, the chaos test): the services verify its tokens exactly as they
 * verify the app service's in production; nothing is bypassed.
 */
export class LocalIdentity {
  readonly sender = generateServiceCredential('sender');
  private readonly users = new Map<string, string>();

  private constructor(readonly issuer: IdentityTokenIssuer) {}

  static async create(options: { ttlSeconds?: number; issuer?: string } = {}): Promise<LocalIdentity> {
    return new LocalIdentity(await IdentityTokenIssuer.generate(options.issuer ?? 'telltale-app', { ttlSeconds: options.ttlSeconds ?? 3600 }));
  }

  /** What every service's config needs to verify this issuer and the sender's credential. */
  env(): { IDENTITY_ISSUER: string; IDENTITY_JWKS: string; INTERNAL_CALLERS: string } {
    return { IDENTITY_ISSUER: this.issuer.issuer, IDENTITY_JWKS: JSON.stringify(this.issuer.jwks()), INTERNAL_CALLERS: this.sender.entry };
  }

  /** The sender's own credential for the internal routes. */
  senderEnv(): { SERVICE_CREDENTIAL: string } {
    return { SERVICE_CREDENTIAL: this.sender.credential };
  }

  userOf(orgId: string): string {
    let user = this.users.get(orgId);
    if (!user) this.users.set(orgId, (user = randomUUID()));
    return user;
  }

  token(orgId: string, options: LocalCallerOptions = {}): Promise<string> {
    if (options.apiKeyScopes) return this.issuer.sign({ orgId, apiKeyId: randomUUID(), roles: options.roles ?? [], scopes: options.apiKeyScopes });
    return this.issuer.sign({ orgId, userId: options.userId ?? this.userOf(orgId), roles: options.roles ?? ['admin'], email: options.email });
  }

  async headers(orgId: string, options: LocalCallerOptions = {}): Promise<{ authorization: string }> {
    return { authorization: `Bearer ${await this.token(orgId, options)}` };
  }
}

let shared: Promise<LocalIdentity> | null = null;

/** One local identity per process, so helpers started separately (a test's services, its API calls) agree. */
export function sharedLocalIdentity(): Promise<LocalIdentity> {
  shared ??= LocalIdentity.create();
  return shared;
}

/** Headers of an admin of `orgId` signed by the process's local identity (tests). */
export async function localIdentityHeaders(orgId: string, options: LocalCallerOptions = {}): Promise<{ authorization: string }> {
  return (await sharedLocalIdentity()).headers(orgId, options);
}
