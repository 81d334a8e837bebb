import { Connection, type ConnectionConfig } from 'jsforce';
import type { SalesforceCredentials } from './salesforce-activity.types';

/**
 * jsforce connections for crm-writer, logged in with the OAuth 2.0 username-password
 * flow (Salesforce Help, "OAuth 2.0 Username-Password Flow"; no SOAP login, which
 * Salesforce retires in API v65.0).
 *
 * That flow issues no refresh token, so when a request answers 401 INVALID_SESSION_ID
 * jsforce calls our refresh function, which logs in again and lets jsforce retry the
 * request once. jsforce would repeat that for every 401, so a session Salesforce keeps
 * rejecting right after login would loop; we refuse a second re-login within
 * `reloginCooldownMs`, and the call fails as AUTH_REVOKED instead.
 */

export interface JsforceConnectionOptions {
  /** REST API version; 46.0+ is needed for upsert's `created` flag. */
  apiVersion?: string;
  clock?: { now(): Date };
  reloginCooldownMs?: number;
}

export const DEFAULT_API_VERSION = '64.0';
export const DEFAULT_RELOGIN_COOLDOWN_MS = 60_000;

const systemClock = { now: () => new Date() };

export async function createJsforceConnection(
  credentials: SalesforceCredentials,
  options: JsforceConnectionOptions = {},
): Promise<Connection> {
  const clock = options.clock ?? systemClock;
  const cooldown = options.reloginCooldownMs ?? DEFAULT_RELOGIN_COOLDOWN_MS;
  let lastReloginAt: number | null = null;

  const passwordLogin = async (conn: Connection): Promise<void> => {
    // `authorize` with the password grant is jsforce's OAuth2 username-password flow
    // (client_id and client_secret are added by its OAuth2 client); unlike `login()`,
    // it keeps our refresh function in place.
    await conn.authorize({ grant_type: 'password', username: credentials.username, password: credentials.password });
  };

  const relogin: NonNullable<ConnectionConfig['refreshFn']> = (conn, callback) => {
    const now = clock.now().getTime();
    if (lastReloginAt !== null && now - lastReloginAt < cooldown) {
      callback(new Error('Salesforce rejected a session issued moments ago; not logging in again'));
      return;
    }
    lastReloginAt = now;
    passwordLogin(conn).then(
      () => {
        if (conn.accessToken) callback(null, conn.accessToken);
        else callback(new Error('no access token after logging in again'));
      },
      (err: unknown) => callback(err instanceof Error ? err : new Error(String(err))),
    );
  };

  const conn = new Connection({
    oauth2: { loginUrl: credentials.loginUrl, clientId: credentials.clientId, clientSecret: credentials.clientSecret },
    version: options.apiVersion ?? DEFAULT_API_VERSION,
    refreshFn: relogin,
  });
  await passwordLogin(conn);
  return conn;
}

/**
 * Shares one logged-in connection between calls; a failed login is not cached, so
 * the next call tries again.
 */
export function cacheConnection(factory: () => Promise<Connection>): () => Promise<Connection> {
  let pending: Promise<Connection> | null = null;
  return () => {
    if (!pending) {
      const attempt = factory();
      pending = attempt;
      attempt.catch(() => {
        if (pending === attempt) pending = null;
      });
    }
    return pending;
  };
}
