import { randomBytes } from 'node:crypto';
import { BadRequestException, ConflictException, NotFoundException, ServiceUnavailableException, UnprocessableEntityException } from '@nestjs/common';
import { Connection } from 'jsforce';
import { z } from 'zod';
import type { Clock } from '@telltale/db';
import type { CredentialCipher, ServiceRuntime } from '@telltale/runtime';
import { DEFAULT_API_VERSION } from '../salesforce/jsforce-connection.factory';
import { isSalesforceConnectionUnavailable } from './salesforce-connection.errors';
import type { SalesforceConnectionRow, SalesforceConnectionStore } from './salesforce-connection.store';
import type { SalesforceConnections } from './salesforce-connections';
import { InvalidLoginHostError, LoginHostRequest, loginUrlFor, type LoginHosts } from './salesforce-login-hosts';
import { runPreflight, type PreflightReport } from './salesforce-preflight';
import {
  authorizationUrl,
  checkPrivateKey,
  exchangeCode,
  identityOf,
  InvalidPrivateKeyError,
  jwtAudience,
  jwtBearerToken,
  newPkcePair,
  oauthErrorOf,
  revokeToken,
  type TokenResponse,
  type WebServerApp,
} from './salesforce-token-client';

/** An authorization left unfinished this long is void (the admin abandoned Salesforce's consent page). */
export const AUTHORIZATION_TTL_MS = 10 * 60_000;

export const StartConnectRequest = LoginHostRequest;

export const OAuthCallbackQuery = z.union([
  z.object({ state: z.string().min(16).max(200), code: z.string().min(1).max(2000) }).strict(),
  z.object({ state: z.string().max(200).optional(), error: z.string().max(200), error_description: z.string().max(2000).optional() }).strict(),
]);

const PEM_MAX = 16_000;
export const JwtConnectRequest = LoginHostRequest.extend({
  consumerKey: z.string().min(10).max(500).regex(/^[\x21-\x7e]+$/, 'printable ASCII without spaces'),
  username: z.string().min(3).max(320),
  privateKey: z.string().min(100).max(PEM_MAX),
}).strict();

const identityDocument = z.object({ username: z.string().max(320), user_id: z.string().max(18), organization_id: z.string().max(18) });

export interface SalesforceConnectionView {
  state: 'not_connected' | 'connected' | 'needs_reconnect' | 'disconnected';
  flow: 'web_server' | 'jwt_bearer' | null;
  loginUrl: string | null;
  instanceUrl: string | null;
  salesforceOrgId: string | null;
  salesforceUserId: string | null;
  username: string | null;
  /** What went wrong last, in words an admin can act on (never a token). */
  lastError: string | null;
  lastErrorCode: string | null;
  /** When the connection entered its state. */
  since: string | null;
  connectedAt: string | null;
  /** True while this organisation's activities go through the deprecated shared integration user. */
  usesDeprecatedIntegrationUser: boolean;
  preflight: PreflightReport | null;
}

/**
 * An admin connecting the organisation's Salesforce: the OAuth 2.0 web-server flow with PKCE (state
 * and verifier kept server-side, encrypted, single use, ten minutes), or the JWT bearer flow with the
 * admin's own connected app and certificate; status, disconnect and pre-flight.
 */
export class SalesforceConnectService {
  constructor(
    private readonly runtime: ServiceRuntime,
    private readonly store: SalesforceConnectionStore,
    private readonly connections: SalesforceConnections,
    private readonly cipher: CredentialCipher | null,
    private readonly settings: { app: Omit<WebServerApp, 'redirectUri'> & { redirectUri?: string }; hosts: LoginHosts; deprecatedFallback: boolean },
    private readonly clock: Clock,
  ) {}

  private requireEncryption(): CredentialCipher {
    if (!this.cipher) {
      throw new ServiceUnavailableException({ error: 'salesforce_connections_not_configured', message: 'This deployment cannot store Salesforce credentials (CREDENTIALS_ENCRYPTION_KEYS is not set).' });
    }
    return this.cipher;
  }

  private webServerApp(): WebServerApp {
    const { redirectUri } = this.settings.app;
    if (!redirectUri) throw new ServiceUnavailableException({ error: 'salesforce_oauth_not_configured', message: 'This deployment has no Salesforce callback URL (SALESFORCE_REDIRECT_URI).' });
    return { ...this.settings.app, redirectUri };
  }

  private loginUrl(request: LoginHostRequest): string {
    try {
      return loginUrlFor(request, this.settings.hosts);
    } catch (err) {
      if (err instanceof InvalidLoginHostError) throw new BadRequestException({ error: 'invalid_my_domain', message: err.message });
      throw err;
    }
  }

  /** Step 1 of the web-server flow: the consent URL; state and PKCE verifier stay here. */
  async start(orgId: string, startedBy: string, request: LoginHostRequest): Promise<{ authorizationUrl: string; state: string; expiresAt: string }> {
    const cipher = this.requireEncryption();
    const app = this.webServerApp();
    const loginUrl = this.loginUrl(request);
    const state = randomBytes(24).toString('base64url');
    const pkce = newPkcePair();
    const now = this.clock.now();
    const expiresAt = new Date(now.getTime() + AUTHORIZATION_TTL_MS);
    const sealed = cipher.encrypt(pkce.verifier, state);
    await this.runtime.dataSource.query(`DELETE FROM crm_writer.salesforce_authorization WHERE expires_at < $1`, [now]);
    await this.runtime.dataSource.query(
      `INSERT INTO crm_writer.salesforce_authorization (state, org_id, started_by, login_url, secret_key_id, verifier_ciphertext, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [state, orgId, startedBy, loginUrl, sealed.keyId, sealed.ciphertext, now, expiresAt],
    );
    return { authorizationUrl: authorizationUrl(loginUrl, app, state, pkce.challenge), state, expiresAt: expiresAt.toISOString() };
  }

  /**
   * Step 2: Salesforce sent the admin back with a code. The state is consumed whatever happens
   * next (a replayed callback finds nothing), and only the admin who started may complete it.
   */
  async complete(orgId: string, startedBy: string, state: string, code: string): Promise<SalesforceConnectionView> {
    const cipher = this.requireEncryption();
    const app = this.webServerApp();
    const rows = (await this.runtime.dataSource.query(
      `DELETE FROM crm_writer.salesforce_authorization WHERE state = $1 AND org_id = $2 AND started_by = $3 RETURNING login_url, secret_key_id, verifier_ciphertext, expires_at`,
      [state, orgId, startedBy],
    )) as unknown;
    const [pending] = (Array.isArray(rows) && Array.isArray(rows[0]) ? rows[0] : rows) as { login_url: string; secret_key_id: string; verifier_ciphertext: string; expires_at: Date }[];
    if (!pending) throw new BadRequestException({ error: 'unknown_authorization', message: 'This authorization is unknown or was already used; start connecting Salesforce again.' });
    if (new Date(pending.expires_at) < this.clock.now()) throw new BadRequestException({ error: 'authorization_expired', message: 'The authorization took too long; start connecting Salesforce again.' });
    const verifier = cipher.decrypt(pending.secret_key_id, pending.verifier_ciphertext, state);
    let token: TokenResponse;
    try {
      token = await exchangeCode(pending.login_url, app, code, verifier);
    } catch (err) {
      throw this.refused(err, 'Salesforce did not grant access; connect Salesforce again.');
    }
    if (!token.refresh_token) {
      throw new UnprocessableEntityException({ error: 'salesforce_no_refresh_token', message: 'Salesforce issued no refresh token: the connected app needs the "refresh_token, offline_access" scope.' });
    }
    const identity = await this.identity(token);
    await this.store.saveConnected({
      orgId,
      flow: 'web_server',
      loginUrl: pending.login_url,
      instanceUrl: token.instance_url,
      salesforceOrgId: identity.organization_id,
      salesforceUserId: identity.user_id,
      salesforceUsername: identity.username,
      consumerKey: null,
      secret: token.refresh_token,
      connectedBy: startedBy,
    });
    await this.connections.connected(orgId);
    return this.afterConnect(orgId);
  }

  /** The JWT bearer flow: checks the grant works before anything is stored. */
  async connectJwt(orgId: string, connectedBy: string, request: z.infer<typeof JwtConnectRequest>): Promise<SalesforceConnectionView> {
    this.requireEncryption();
    const loginUrl = this.loginUrl(request);
    try {
      await checkPrivateKey(request.privateKey);
    } catch (err) {
      if (err instanceof InvalidPrivateKeyError) throw new BadRequestException({ error: 'invalid_private_key', message: err.message });
      throw err;
    }
    let token: TokenResponse;
    try {
      token = await jwtBearerToken(loginUrl, jwtAudience(loginUrl, this.settings.hosts), { consumerKey: request.consumerKey, username: request.username, privateKeyPem: request.privateKey }, this.clock.now());
    } catch (err) {
      throw this.refused(err, `Salesforce refused the JWT: check the consumer key, that the connected app has this key's certificate and that ${request.username} is pre-authorized for it.`);
    }
    const identity = await this.identity(token);
    await this.store.saveConnected({
      orgId,
      flow: 'jwt_bearer',
      loginUrl,
      instanceUrl: token.instance_url,
      salesforceOrgId: identity.organization_id,
      salesforceUserId: identity.user_id,
      salesforceUsername: identity.username,
      consumerKey: request.consumerKey,
      secret: request.privateKey,
      connectedBy,
    });
    await this.connections.connected(orgId);
    return this.afterConnect(orgId);
  }

  /** Pre-flight once right after connecting, before the first write: the status shows what to fix at once. */
  private async afterConnect(orgId: string): Promise<SalesforceConnectionView> {
    await this.preflight(orgId).catch(() => undefined);
    return this.status(orgId);
  }

  async status(orgId: string): Promise<SalesforceConnectionView> {
    return view(await this.store.get(orgId), this.settings.deprecatedFallback);
  }

  /** Forgets the credentials (and revokes the refresh token at Salesforce, best effort). */
  async disconnect(orgId: string): Promise<SalesforceConnectionView> {
    const row = await this.store.get(orgId);
    if (!row || row.state === 'disconnected') throw new NotFoundException({ error: 'salesforce_not_connected', message: 'This organisation has no Salesforce connection to disconnect.' });
    if (row.flow === 'web_server' && row.secret_ciphertext) {
      await revokeToken(row.login_url, this.store.secretOf(row)).catch(() => undefined);
    }
    await this.store.disconnect(orgId);
    this.connections.forget(orgId);
    return this.status(orgId);
  }

  /** Runs the pre-flight as the connection's user and keeps the report with the connection. */
  async preflight(orgId: string): Promise<PreflightReport> {
    const row = await this.store.get(orgId);
    if (!row || row.state === 'disconnected') throw new ConflictException({ error: 'salesforce_not_connected', message: 'Connect Salesforce before running the pre-flight.' });
    let report: PreflightReport;
    try {
      report = await runPreflight(await this.connections.forOrg(orgId), row.salesforce_username, this.clock.now());
    } catch (err) {
      if (isSalesforceConnectionUnavailable(err)) throw new ConflictException({ error: 'salesforce_needs_reconnect', message: 'Salesforce refused the stored grant; reconnect Salesforce, then run the pre-flight again.' });
      throw new ServiceUnavailableException({ error: 'salesforce_unreachable', message: 'Salesforce did not answer the pre-flight; try again in a moment.' });
    }
    await this.store.savePreflight(orgId, row.generation, report);
    return report;
  }

  private async identity(token: TokenResponse): Promise<z.infer<typeof identityDocument>> {
    const expected = identityOf(token);
    const conn = new Connection({ instanceUrl: token.instance_url, accessToken: token.access_token, version: DEFAULT_API_VERSION });
    try {
      const identity = identityDocument.parse(await conn.request(token.id));
      if (identity.organization_id !== expected.salesforceOrgId || identity.user_id !== expected.userId) throw new Error('identity mismatch');
      return identity;
    } catch {
      throw new UnprocessableEntityException({ error: 'salesforce_identity_failed', message: 'Could not read the connected Salesforce user; connect again.' });
    }
  }

  private refused(err: unknown, message: string): Error {
    const code = oauthErrorOf(err);
    if (!code) return new ServiceUnavailableException({ error: 'salesforce_unreachable', message: 'Salesforce could not be reached; try again in a moment.' });
    return new BadRequestException({ error: 'salesforce_authorization_failed', code, message });
  }
}

function view(row: SalesforceConnectionRow | null, deprecatedFallback: boolean): SalesforceConnectionView {
  const iso = (d: Date | null) => (d ? new Date(d).toISOString() : null);
  return {
    state: row?.state ?? 'not_connected',
    flow: row?.flow ?? null,
    loginUrl: row?.login_url ?? null,
    instanceUrl: row?.instance_url ?? null,
    salesforceOrgId: row?.salesforce_org_id ?? null,
    salesforceUserId: row?.salesforce_user_id ?? null,
    username: row?.salesforce_username ?? null,
    lastError: row?.last_error ?? null,
    lastErrorCode: row?.last_error_code ?? null,
    since: iso(row?.state_since ?? null),
    connectedAt: iso(row?.connected_at ?? null),
    usesDeprecatedIntegrationUser: !row && deprecatedFallback,
    preflight: (row?.preflight as PreflightReport | null) ?? null,
  };
}
