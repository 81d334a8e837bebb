import { Connection, type ConnectionConfig } from 'jsforce';
import type { Clock } from '@telltale/db';
import type { Logger } from '@telltale/telemetry';
import { DEFAULT_API_VERSION } from '../salesforce/jsforce-connection.factory';
import { needsReconnectMessage, SalesforceConnectionUnavailableError } from './salesforce-connection.errors';
import type { SalesforceConnectionRow, SalesforceConnectionStore } from './salesforce-connection.store';
import { jwtAudience, jwtBearerToken, oauthErrorOf, refreshAccessToken, type TokenResponse, type WebServerApp } from './salesforce-token-client';

export interface SalesforceConnectionsSettings {
  /** Telltale's connected app for the web-server flow (redirect URI may be absent: refresh needs none). */
  app: Omit<WebServerApp, 'redirectUri'> & { redirectUri?: string };
  hosts: { production: string; sandbox: string };
  apiVersion?: string;
  /**
   * Deprecated: the env-configured integration user (username-password flow), used for an
   * organisation that has no connection of its own. Null when not configured.
   */
  deprecatedSharedConnection: (() => Promise<Connection>) | null;
}

interface CachedConnection {
  generation: number;
  connection: Promise<Connection>;
}

/** OAuth errors that mean the stored grant is dead and only an admin can fix it. */
const GRANT_REFUSED = new Set(['invalid_grant', 'invalid_client_id', 'invalid_client', 'inactive_user', 'inactive_org', 'invalid_app_access', 'unauthorized_client']);

/**
 * The Salesforce connection of each organisation.
 *
 * `forOrg(orgId)` returns a ready jsforce `Connection` (a fresh access token from the stored
 * refresh token or a signed JWT; jsforce refreshes it again on a 401), cached per organisation
 * until the organisation reconnects or disconnects. Otherwise it throws
 * `SalesforceConnectionUnavailableError` with code
 *  - `salesforce_not_connected`: no connection of its own (and no deprecated integration user);
 *  - `salesforce_needs_reconnect`: Salesforce answered `invalid_grant` (or another refusal of the
 *    grant) — the connection is marked `needs_reconnect` and `crm.connection-changed.v1` published.
 * Callers WAIT AND RETRY LATER on these and never dead-letter. A request that fails because the
 * grant was refused while jsforce refreshed the session mid-call is recognised by
 * `isSalesforceConnectionUnavailable(err)` too. Network failures reaching the token endpoint are
 * thrown as they are (temporary: retry with backoff).
 *
 * Organisations without a connection of their own use the deprecated env-configured integration
 * user when one is configured (logged once as deprecated).
 */
export class SalesforceConnections {
  private readonly cache = new Map<string, CachedConnection>();
  private readonly connectedListeners: Array<(orgId: string) => void | Promise<void>> = [];
  private deprecationLogged = false;

  constructor(
    private readonly store: SalesforceConnectionStore,
    private readonly settings: SalesforceConnectionsSettings,
    private readonly logger: Logger,
    private readonly clock: Clock,
  ) {}

  /** A ready connection for the organisation, or `SalesforceConnectionUnavailableError` (retry later). */
  async forOrg(orgId: string): Promise<Connection> {
    const row = await this.store.get(orgId);
    if (!row) return this.deprecatedShared(orgId);
    if (row.state === 'disconnected') {
      this.cache.delete(orgId);
      throw new SalesforceConnectionUnavailableError('salesforce_not_connected', orgId, 'Salesforce was disconnected; an admin must connect it again.');
    }
    if (row.state === 'needs_reconnect') {
      this.cache.delete(orgId);
      throw new SalesforceConnectionUnavailableError(
        'salesforce_needs_reconnect',
        orgId,
        `Salesforce refused the stored grant (${row.last_error_code ?? 'invalid_grant'}); an admin must reconnect Salesforce.`,
      );
    }
    const cached = this.cache.get(orgId);
    if (cached && cached.generation === row.generation) return cached.connection;
    const connection = this.open(row);
    const entry = { generation: row.generation, connection };
    this.cache.set(orgId, entry);
    connection.catch(() => {
      if (this.cache.get(orgId) === entry) this.cache.delete(orgId);
    });
    return connection;
  }

  /** Drops the cached connection (after reconnect or disconnect on this replica). */
  forget(orgId: string): void {
    this.cache.delete(orgId);
  }

  /**
   * `listener(orgId)` runs when an admin connects or reconnects an organisation through this
   * replica, so writes waiting on it can be retried at once instead of at their next backoff.
   * Other replicas learn the same from `crm.connection-changed.v1`.
   */
  onConnected(listener: (orgId: string) => void | Promise<void>): void {
    this.connectedListeners.push(listener);
  }

  /** The organisation was (re)connected: a fresh connection next time, and the listeners told. */
  async connected(orgId: string): Promise<void> {
    this.forget(orgId);
    for (const listener of this.connectedListeners) {
      try {
        await listener(orgId);
      } catch (err) {
        this.logger.warn({ orgId, err: err instanceof Error ? err.message : String(err) }, 'a listener of Salesforce connections failed');
      }
    }
  }

  /**
   * The deprecated env-configured integration user, for callers that have no organisation at
   * hand. Throws `salesforce_not_connected` when it is not configured.
   */
  deprecatedShared(orgId: string | null = null): Promise<Connection> {
    const shared = this.settings.deprecatedSharedConnection;
    if (!shared) {
      return Promise.reject(
        new SalesforceConnectionUnavailableError('salesforce_not_connected', orgId ?? '', 'This organisation has not connected Salesforce; an admin can connect it in Settings → Salesforce.'),
      );
    }
    if (!this.deprecationLogged) {
      this.deprecationLogged = true;
      this.logger.warn(
        { orgId },
        'Salesforce: using the deprecated integration user from SALESFORCE_USERNAME/SALESFORCE_PASSWORD (username-password flow) for organisations without their own connection; connect each organisation in Settings → Salesforce instead',
      );
    }
    return shared();
  }

  private async open(row: SalesforceConnectionRow): Promise<Connection> {
    const token = await this.obtainToken(row);
    const refreshFn: NonNullable<ConnectionConfig['refreshFn']> = (_conn, callback) => {
      this.obtainToken(row).then(
        (fresh) => callback(null, fresh.access_token),
        (err: unknown) => callback(err instanceof Error ? err : new Error(String(err))),
      );
    };
    return new Connection({
      instanceUrl: token.instance_url,
      accessToken: token.access_token,
      version: this.settings.apiVersion ?? DEFAULT_API_VERSION,
      refreshFn,
    });
  }

  /** A fresh access token for this generation of the connection; a refused grant marks it `needs_reconnect`. */
  private async obtainToken(row: SalesforceConnectionRow): Promise<TokenResponse> {
    const secret = this.store.secretOf(row);
    try {
      if (row.flow === 'jwt_bearer') {
        const audience = jwtAudience(row.login_url, this.settings.hosts);
        return await jwtBearerToken(row.login_url, audience, { consumerKey: row.consumer_key ?? '', username: row.salesforce_username ?? '', privateKeyPem: secret }, this.clock.now());
      }
      return await refreshAccessToken(row.login_url, { redirectUri: '', ...this.settings.app }, secret);
    } catch (err) {
      const code = oauthErrorOf(err);
      if (!code || !GRANT_REFUSED.has(code)) throw err;
      const reason =
        row.flow === 'jwt_bearer'
          ? `Salesforce refused the JWT bearer grant (${code}): check the connected app's certificate, that ${row.salesforce_username ?? 'the user'} is pre-authorized for it, and reconnect.`
          : `Salesforce refused the refresh token (${code}): the app's access was revoked, expired or the user deactivated; reconnect Salesforce.`;
      const moved = await this.store.markNeedsReconnect(row.org_id, row.generation, reason, code);
      if (moved) this.logger.warn({ orgId: row.org_id, errorCode: code }, 'Salesforce connection needs reconnecting');
      this.cache.delete(row.org_id);
      throw new SalesforceConnectionUnavailableError('salesforce_needs_reconnect', row.org_id, needsReconnectMessage(reason));
    }
  }
}
