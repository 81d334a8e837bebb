import { randomUUID } from 'node:crypto';
import { SignJWT, createLocalJWKSet, createRemoteJWKSet, exportJWK, generateKeyPair, importJWK, jwtVerify, type JSONWebKeySet, type JWK, type JWTVerifyGetKey, type CryptoKey } from 'jose';
import { UUID_PATTERN } from '@telltale/contracts';
import { z } from 'zod';

/**
 * The identity every service verifies itself (docs/architecture.md, Identity and tenancy). The app
 * service authenticates a browser session or an API key and calls the other services with a
 * short-lived ES256 JWT carrying the organisation, the user and the roles; the services verify it
 * against the app's published key set. No service trusts a caller-supplied identity header.
 */
export const ROLES = ['admin', 'manager', 'rep'] as const;
export type Role = (typeof ROLES)[number];

/** Audience of every identity token: the Telltale services behind the app. */
export const IDENTITY_AUDIENCE = 'telltale-services';
export const IDENTITY_ALGORITHM = 'ES256';

const Claims = z.object({
  sub: z.string().min(1).max(200),
  org: z.string().regex(UUID_PATTERN),
  /** `user` for a signed-in person, `api_key` for a script (sub is then `api_key:<id>`). */
  kind: z.enum(['user', 'api_key']),
  roles: z.array(z.enum(ROLES)).max(ROLES.length),
  /** Space-separated scopes of an API key (`read`, `write`, `<resource>:read`, `<resource>:write`); absent for a user. */
  scope: z.string().max(2000).optional(),
  email: z.string().max(320).optional(),
});

/** Who is calling, as every controller sees it. */
export interface Caller {
  orgId: string;
  /** The user's id, or null for an API key. */
  userId: string | null;
  /** `user:<id>` or `api_key:<id>`: who did it, for logs and audit. */
  subject: string;
  kind: 'user' | 'api_key';
  roles: readonly Role[];
  /** null: every scope (a signed-in user); otherwise the API key's scopes. */
  scopes: ReadonlySet<string> | null;
  email: string | null;
}

export interface CallerClaims {
  orgId: string;
  userId?: string | null;
  apiKeyId?: string | null;
  roles: readonly Role[];
  scopes?: readonly string[] | null;
  email?: string | null;
}

/** A manager or admin sees the whole organisation's mailboxes, sequences and mail; a rep their own. */
export function seesWholeOrganisation(caller: Caller): boolean {
  return caller.roles.includes('admin') || caller.roles.includes('manager');
}

/**
 * Whether the caller may see something a person owns: API keys, managers and admins act for the
 * organisation; a rep only for what is theirs (null: owned by no one in particular, so not a rep's).
 * The organisation itself is checked by the query.
 */
export function ownsOrOversees(caller: Caller, ownerUserId: string | null): boolean {
  if (caller.kind === 'api_key' || seesWholeOrganisation(caller)) return true;
  return ownerUserId !== null && ownerUserId === caller.userId;
}

/** Signs identity tokens (the app service; tests). Tokens live one minute: they are minted per request. */
export class IdentityTokenIssuer {
  private constructor(
    private readonly privateKey: CryptoKey | Uint8Array,
    private readonly publicJwk: JWK,
    readonly issuer: string,
    private readonly ttlSeconds: number,
  ) {}

  /** A fresh key pair (tests, `npm start`). */
  static async generate(issuer: string, options: { ttlSeconds?: number; kid?: string } = {}): Promise<IdentityTokenIssuer> {
    const { privateKey, publicKey } = await generateKeyPair(IDENTITY_ALGORITHM, { extractable: true });
    const kid = options.kid ?? randomUUID();
    const publicJwk = { ...(await exportJWK(publicKey)), kid, alg: IDENTITY_ALGORITHM, use: 'sig' };
    const issuerObj = new IdentityTokenIssuer(privateKey, publicJwk, issuer, options.ttlSeconds ?? 60);
    issuerObj.privateJwk = { ...(await exportJWK(privateKey)), kid, alg: IDENTITY_ALGORITHM };
    return issuerObj;
  }

  /** From a private EC P-256 JWK (IDENTITY_SIGNING_KEY); its `kid` names it in the key set. */
  static async fromPrivateJwk(jwk: JWK, issuer: string, options: { ttlSeconds?: number } = {}): Promise<IdentityTokenIssuer> {
    if (jwk.kty !== 'EC' || jwk.crv !== 'P-256' || !jwk.d) throw new Error('the identity signing key must be a private EC P-256 JWK');
    const kid = jwk.kid ?? 'identity';
    const key = await importJWK({ ...jwk, alg: IDENTITY_ALGORITHM }, IDENTITY_ALGORITHM);
    const { d: _d, ...publicPart } = jwk;
    const issuerObj = new IdentityTokenIssuer(key, { ...publicPart, kid, alg: IDENTITY_ALGORITHM, use: 'sig' }, issuer, options.ttlSeconds ?? 60);
    issuerObj.privateJwk = { ...jwk, kid };
    return issuerObj;
  }

  /** The private key, to hand to a process started alongside (never logged). */
  privateJwk: JWK = {};

  /** What the services verify against (`GET /.well-known/jwks.json` on the app service). */
  jwks(): JSONWebKeySet {
    return { keys: [this.publicJwk] };
  }

  async sign(claims: CallerClaims): Promise<string> {
    const subject = claims.apiKeyId ? `api_key:${claims.apiKeyId}` : `user:${claims.userId ?? ''}`;
    const body: Record<string, unknown> = { org: claims.orgId, kind: claims.apiKeyId ? 'api_key' : 'user', roles: [...claims.roles] };
    if (claims.scopes) body.scope = claims.scopes.join(' ');
    if (claims.email) body.email = claims.email;
    return new SignJWT(body)
      .setProtectedHeader({ alg: IDENTITY_ALGORITHM, kid: this.publicJwk.kid, typ: 'JWT' })
      .setIssuer(this.issuer)
      .setAudience(IDENTITY_AUDIENCE)
      .setSubject(subject)
      .setIssuedAt()
      .setJti(randomUUID())
      .setExpirationTime(`${this.ttlSeconds}s`)
      .sign(this.privateKey);
  }
}

export class InvalidIdentityToken extends Error {
  constructor(readonly reason: string) {
    super(reason);
    this.name = 'InvalidIdentityToken';
  }
}

export interface IdentityVerifierOptions {
  issuer: string;
  /** The key set itself (IDENTITY_JWKS), or where to fetch it (IDENTITY_JWKS_URL, cached, refetched for an unknown kid). */
  jwks?: JSONWebKeySet;
  jwksUrl?: string;
  /** Allowed clock difference between the app and this service. */
  clockToleranceSeconds?: number;
}

/** Verifies identity tokens: signature (ES256 only), issuer, audience, expiry, then the claims' shape. */
export class IdentityTokenVerifier {
  private readonly keys: JWTVerifyGetKey;

  constructor(private readonly options: IdentityVerifierOptions) {
    if (options.jwks) this.keys = createLocalJWKSet(options.jwks);
    else if (options.jwksUrl) this.keys = createRemoteJWKSet(new URL(options.jwksUrl), { timeoutDuration: 3_000, cooldownDuration: 30_000 });
    else throw new Error('an identity verifier needs IDENTITY_JWKS or IDENTITY_JWKS_URL');
  }

  async verify(token: string): Promise<Caller> {
    let payload: Record<string, unknown>;
    try {
      ({ payload } = await jwtVerify(token, this.keys, {
        issuer: this.options.issuer,
        audience: IDENTITY_AUDIENCE,
        algorithms: [IDENTITY_ALGORITHM],
        clockTolerance: this.options.clockToleranceSeconds ?? 5,
        requiredClaims: ['exp', 'iat', 'sub'],
      }));
    } catch (err) {
      const code = (err as { code?: string }).code ?? '';
      throw new InvalidIdentityToken(code === 'ERR_JWT_EXPIRED' ? 'the token has expired' : 'the token is not valid');
    }
    const parsed = Claims.safeParse(payload);
    if (!parsed.success) throw new InvalidIdentityToken('the token does not carry a Telltale identity');
    const c = parsed.data;
    const [kind, id = ''] = c.sub.split(':', 2);
    if (kind !== c.kind || !UUID_PATTERN.test(id)) throw new InvalidIdentityToken('the token does not carry a Telltale identity');
    return {
      orgId: c.org,
      userId: c.kind === 'user' ? id : null,
      subject: c.sub,
      kind: c.kind,
      roles: c.roles,
      scopes: c.kind === 'api_key' ? new Set((c.scope ?? '').split(' ').filter(Boolean)) : null,
      email: c.email ?? null,
    };
  }
}
