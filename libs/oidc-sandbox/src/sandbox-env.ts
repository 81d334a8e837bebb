import type { SandboxClient, SandboxIssuerOptions } from './sandbox-issuer';
import { SANDBOX_USERS } from './sandbox-users';

export const DEFAULT_SANDBOX_PORT = 3011;

class SandboxEnvError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SandboxEnvError';
  }
}

function stringList(value: unknown, field: string): string[] {
  if (!Array.isArray(value) || value.some((item) => typeof item !== 'string' || item === '')) {
    throw new SandboxEnvError(`OIDC_SANDBOX_CLIENTS: ${field} must be an array of URLs`);
  }
  return value as string[];
}

function parseClient(value: unknown, index: number): SandboxClient {
  const at = `[${index}]`;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new SandboxEnvError(`OIDC_SANDBOX_CLIENTS${at} must be an object`);
  }
  const raw = value as Record<string, unknown>;
  if (typeof raw.clientId !== 'string' || raw.clientId === '') {
    throw new SandboxEnvError(`OIDC_SANDBOX_CLIENTS${at}.clientId must be a non-empty string`);
  }
  if (raw.clientSecret !== undefined && typeof raw.clientSecret !== 'string') {
    throw new SandboxEnvError(`OIDC_SANDBOX_CLIENTS${at}.clientSecret must be a string`);
  }
  const method = raw.tokenEndpointAuthMethod;
  if (method !== undefined && method !== 'client_secret_basic' && method !== 'client_secret_post') {
    throw new SandboxEnvError(`OIDC_SANDBOX_CLIENTS${at}.tokenEndpointAuthMethod must be client_secret_basic or client_secret_post`);
  }
  const redirectUris = stringList(raw.redirectUris, `${at}.redirectUris`);
  if (redirectUris.length === 0) throw new SandboxEnvError(`OIDC_SANDBOX_CLIENTS${at}.redirectUris must name at least one URL`);
  return {
    clientId: raw.clientId,
    ...(raw.clientSecret === undefined ? {} : { clientSecret: raw.clientSecret }),
    ...(method === undefined ? {} : { tokenEndpointAuthMethod: method }),
    redirectUris,
    postLogoutRedirectUris:
      raw.postLogoutRedirectUris === undefined ? [] : stringList(raw.postLogoutRedirectUris, `${at}.postLogoutRedirectUris`),
  };
}

/**
 * The options `main` starts the sandbox issuer with: OIDC_SANDBOX_HOST (default 127.0.0.1),
 * OIDC_SANDBOX_PORT (default 3011), OIDC_SANDBOX_CLIENTS (a JSON array of SandboxClient, required),
 * and the SANDBOX_USERS. Throws an error naming the variable and field that is wrong.
 */
export function sandboxOptionsFromEnv(env: NodeJS.ProcessEnv): SandboxIssuerOptions {
  const portText = env.OIDC_SANDBOX_PORT ?? String(DEFAULT_SANDBOX_PORT);
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port > 65535) {
    throw new SandboxEnvError(`OIDC_SANDBOX_PORT must be a port number (0-65535), got "${portText}"`);
  }
  const clientsText = env.OIDC_SANDBOX_CLIENTS;
  if (clientsText === undefined || clientsText.trim() === '') {
    throw new SandboxEnvError('OIDC_SANDBOX_CLIENTS is required: a JSON array of {clientId, clientSecret?, redirectUris, postLogoutRedirectUris?}');
  }
  let clients: unknown;
  try {
    clients = JSON.parse(clientsText);
  } catch {
    throw new SandboxEnvError('OIDC_SANDBOX_CLIENTS is not valid JSON');
  }
  if (!Array.isArray(clients) || clients.length === 0) {
    throw new SandboxEnvError('OIDC_SANDBOX_CLIENTS must be a non-empty JSON array');
  }
  return {
    host: env.OIDC_SANDBOX_HOST || '127.0.0.1',
    port,
    users: SANDBOX_USERS,
    clients: clients.map(parseClient),
  };
}
