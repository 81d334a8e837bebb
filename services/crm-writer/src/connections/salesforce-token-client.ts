import { createHash, randomBytes } from 'node:crypto';
import { OAuth2 } from 'jsforce';
import { importPKCS8, SignJWT } from 'jose';
import { z } from 'zod';

/**
 * Salesforce's OAuth 2.0 endpoints through jsforce's OAuth2 client (Salesforce Help, "OAuth 2.0 Web
 * Server Flow for Web App Integration", "OAuth 2.0 Refresh Token Flow", "OAuth 2.0 JWT Bearer Flow
 * for Server-to-Server Integration"). Token-endpoint failures arrive as errors whose `name` is the
 * OAuth error (`invalid_grant`, `invalid_client_id`, …).
 */

export const JWT_BEARER_GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
/** Salesforce accepts a JWT whose exp is at most three minutes away. */
export const JWT_LIFETIME_SECONDS = 170;
/** RFC 7636: 43–128 characters; 64 random bytes base64url-encoded are 86. */
const VERIFIER_BYTES = 64;

export const TokenResponse = z.object({
  access_token: z.string().min(1).max(4000),
  refresh_token: z.string().min(1).max(4000).optional(),
  instance_url: z.url({ protocol: /^https?$/ }).max(2000),
  /** The identity URL: https://<login host>/id/<org id>/<user id>. */
  id: z.url({ protocol: /^https?$/ }).max(2000),
  issued_at: z.string().max(20).optional(),
  scope: z.string().max(2000).optional(),
});
export type TokenResponse = z.infer<typeof TokenResponse>;

export interface Identity {
  salesforceOrgId: string;
  userId: string;
}

/** The org and user ids at the end of the identity URL. */
export function identityOf(token: TokenResponse): Identity {
  const parts = new URL(token.id).pathname.split('/').filter(Boolean);
  const [kind, orgId, userId] = parts.slice(-3);
  if (kind !== 'id' || !orgId || !userId || !/^[A-Za-z0-9]{15,18}$/.test(orgId) || !/^[A-Za-z0-9]{15,18}$/.test(userId)) {
    throw new Error('the token response has no usable identity URL');
  }
  return { salesforceOrgId: orgId, userId };
}

export interface PkcePair {
  verifier: string;
  challenge: string;
}

export function newPkcePair(): PkcePair {
  const verifier = randomBytes(VERIFIER_BYTES).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

export interface WebServerApp {
  clientId: string;
  clientSecret: string;
  redirectUri: string;
}

function webServerClient(loginUrl: string, app: WebServerApp): OAuth2 {
  return new OAuth2({ loginUrl, clientId: app.clientId, clientSecret: app.clientSecret, redirectUri: app.redirectUri });
}

/** The consent page for the web-server flow with PKCE (S256). */
export function authorizationUrl(loginUrl: string, app: WebServerApp, state: string, codeChallenge: string): string {
  return webServerClient(loginUrl, app).getAuthorizationUrl({
    scope: 'api refresh_token',
    state,
    code_challenge: codeChallenge,
    code_challenge_method: 'S256',
    prompt: 'login consent',
  });
}

/** Exchanges the authorization code (with its PKCE verifier) for tokens. */
export async function exchangeCode(loginUrl: string, app: WebServerApp, code: string, codeVerifier: string): Promise<TokenResponse> {
  return TokenResponse.parse(await webServerClient(loginUrl, app).requestToken(code, { code_verifier: codeVerifier }));
}

/** A new access token from the refresh token (no new refresh token without rotation). */
export async function refreshAccessToken(loginUrl: string, app: WebServerApp, refreshToken: string): Promise<TokenResponse> {
  return TokenResponse.parse(await webServerClient(loginUrl, app).refreshToken(refreshToken));
}

/** Revokes a refresh token (and with it its sessions); best effort on disconnect. */
export async function revokeToken(loginUrl: string, token: string): Promise<void> {
  await new OAuth2({ loginUrl }).revokeToken(token);
}

export interface JwtBearerGrant {
  /** The connected app's consumer key (iss). */
  consumerKey: string;
  /** The Salesforce username the integration acts as (sub). */
  username: string;
  /** PEM PKCS#8 RSA private key whose certificate is uploaded to the connected app. */
  privateKeyPem: string;
}

/**
 * The audience Salesforce expects: the generic login host, even for a My Domain login
 * (https://test.salesforce.com for sandboxes, https://login.salesforce.com otherwise).
 */
export function jwtAudience(loginUrl: string, hosts: { production: string; sandbox: string }): string {
  const host = new URL(loginUrl).hostname;
  if (host.endsWith('.sandbox.my.salesforce.com')) return trimSlash(hosts.sandbox);
  if (host.endsWith('.my.salesforce.com')) return trimSlash(hosts.production);
  return trimSlash(loginUrl);
}

export class InvalidPrivateKeyError extends Error {}

/** Checks the key reads as an RSA PKCS#8 key before anything is stored. */
export async function checkPrivateKey(pem: string): Promise<void> {
  try {
    await importPKCS8(pem, 'RS256');
  } catch {
    throw new InvalidPrivateKeyError('privateKey must be an RSA private key in PEM (PKCS#8, "-----BEGIN PRIVATE KEY-----").');
  }
}

/** An access token through the JWT bearer flow (no refresh token: sign a new JWT when it expires). */
export async function jwtBearerToken(loginUrl: string, audience: string, grant: JwtBearerGrant, now: Date): Promise<TokenResponse> {
  const key = await importPKCS8(grant.privateKeyPem, 'RS256');
  const issuedAt = Math.floor(now.getTime() / 1000);
  const assertion = await new SignJWT({})
    .setProtectedHeader({ alg: 'RS256' })
    .setIssuer(grant.consumerKey)
    .setSubject(grant.username)
    .setAudience(audience)
    .setExpirationTime(issuedAt + JWT_LIFETIME_SECONDS)
    .sign(key);
  return TokenResponse.parse(await new OAuth2({ loginUrl }).requestToken({ grant_type: JWT_BEARER_GRANT, assertion }));
}

/** The OAuth error name of a token-endpoint failure (`invalid_grant`, …), if it is one. */
export function oauthErrorOf(err: unknown): string | undefined {
  if (!(err instanceof Error)) return undefined;
  return /^[a-z_]{3,60}$/.test(err.name) ? err.name : undefined;
}

function trimSlash(url: string): string {
  return url.replace(/\/+$/, '');
}
