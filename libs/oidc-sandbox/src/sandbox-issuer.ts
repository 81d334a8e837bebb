import { generateKeyPair, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import { Provider, type ClientMetadata, type Configuration, type KoaContextWithOIDC } from 'oidc-provider';
import { createMemoryAdapterFactory } from './memory-adapter';
import { accountsOf, interactionHandler, interactionPath } from './interactions';
import { PAGE_HEADERS, errorPage, signOutPage, signedOutPage } from './pages';
import type { SandboxUser } from './sandbox-users';

/** A relying party registered at the sandbox issuer. */
export interface SandboxClient {
  clientId: string;
  /** Without a secret the client is public (`token_endpoint_auth_method: none`) and must use PKCE, like every client here. */
  clientSecret?: string;
  /**
   * How a client with a secret authenticates at the token endpoint. Default `client_secret_post`,
   * what openid-client 6 does when given a secret (`ClientSecretBasic(secret)` needs `client_secret_basic`).
   */
  tokenEndpointAuthMethod?: 'client_secret_basic' | 'client_secret_post';
  redirectUris: string[];
  postLogoutRedirectUris?: string[];
}

export interface SandboxIssuer {
  /** The issuer identifier, e.g. http://127.0.0.1:3011; discovery is at `${issuer}/.well-known/openid-configuration`. */
  issuer: string;
  stop(): Promise<void>;
}

export interface SandboxIssuerOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** 0 (the default) takes a free port. */
  port?: number;
  users: readonly SandboxUser[];
  clients: readonly SandboxClient[];
  /** Private signing keys as a JWK set; an RSA key is generated at start when not given. */
  jwks?: { keys: object[] };
}

/** Lifetimes in seconds. */
export const SANDBOX_TTL = {
  session: 24 * 60 * 60,
  grant: 24 * 60 * 60,
  interaction: 10 * 60,
  authorizationCode: 60,
  accessToken: 10 * 60,
  idToken: 10 * 60,
} as const;

async function generatedSigningKeys(): Promise<{ keys: object[] }> {
  const { privateKey } = await promisify(generateKeyPair)('rsa', { modulusLength: 2048 });
  return { keys: [{ ...privateKey.export({ format: 'jwk' }), alg: 'RS256', use: 'sig' }] };
}

function clientMetadata(client: SandboxClient): ClientMetadata {
  const secret = client.clientSecret === undefined || client.clientSecret === '' ? undefined : client.clientSecret;
  return {
    client_id: client.clientId,
    ...(secret === undefined ? {} : { client_secret: secret }),
    token_endpoint_auth_method: secret === undefined ? 'none' : (client.tokenEndpointAuthMethod ?? 'client_secret_post'),
    redirect_uris: [...client.redirectUris],
    post_logout_redirect_uris: [...(client.postLogoutRedirectUris ?? [])],
    grant_types: ['authorization_code'],
    response_types: ['code'],
  };
}

/**
 * Every client here is first-party: whatever OpenID scopes it asks for are granted without a
 * consent screen, on the session's existing grant or a new one (oidc-provider's loadExistingGrant
 * hook, called once the user is known).
 */
async function grantAllRequestedScopes(ctx: KoaContextWithOIDC) {
  const { oidc } = ctx;
  const accountId = oidc.session.accountId;
  if (accountId === undefined) return undefined;
  const existingId = oidc.result?.consent?.grantId ?? oidc.session.grantIdFor(oidc.client.clientId);
  const existing = existingId === undefined ? undefined : await oidc.provider.Grant.find(existingId);
  const grant = existing ?? new oidc.provider.Grant({ accountId, clientId: oidc.client.clientId });
  const granted = new Set(grant.getOIDCScopeEncountered().split(' '));
  const missing = [...oidc.requestParamOIDCScopes].filter((scope) => !granted.has(scope));
  if (missing.length > 0) grant.addOIDCScope(missing.join(' '));
  if (missing.length > 0 || existing === undefined) await grant.save();
  return grant;
}

function renderPage(ctx: KoaContextWithOIDC, status: number, html: string): void {
  for (const [name, value] of Object.entries(PAGE_HEADERS)) ctx.set(name, value);
  ctx.status = status;
  ctx.type = 'html';
  ctx.body = html;
}

/**
 * Starts a real OpenID Connect provider (oidc-provider, the certified implementation) with the
 * given users and clients: authorization code flow with PKCE (S256) required for every client,
 * scopes `openid email profile`, ID tokens carrying `email`, `email_verified` and `name`, nonce,
 * RP-initiated logout. Plain HTTP suits 127.0.0.1: oidc-provider marks its cookies Secure only
 * on a TLS request, and `proxy` stays off (no X-Forwarded-* header is trusted). Keys for cookies
 * and signing are made per start; all state is in memory.
 */
export async function startSandboxIssuer(options: SandboxIssuerOptions): Promise<SandboxIssuer> {
  const host = options.host ?? '127.0.0.1';
  const accountsByEmail = accountsOf(options.users);
  const accountsBySub = new Map([...accountsByEmail.values()].map((account) => [account.sub, account]));
  const jwks = options.jwks ?? (await generatedSigningKeys());

  // Requests wait for the provider, which needs the issuer URL, which needs the port.
  let handle: ((req: IncomingMessage, res: ServerResponse) => void) | undefined;
  const server: Server = createServer((req, res) => {
    if (handle) handle(req, res);
    else res.writeHead(503, { 'retry-after': '1' }).end();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const issuer = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;

  const configuration: Partial<Configuration> = {
    adapter: createMemoryAdapterFactory(),
    clients: options.clients.map(clientMetadata),
    clientAuthMethods: ['client_secret_basic', 'client_secret_post', 'none'],
    responseTypes: ['code'],
    scopes: ['openid'],
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
    // The ID token carries the granted scopes' claims (not only the userinfo endpoint), as Google's and Entra ID's do.
    conformIdTokenClaims: false,
    pkce: { required: () => true },
    jwks,
    cookies: {
      keys: [randomBytes(32).toString('base64url')],
      long: { httpOnly: true, sameSite: 'lax', signed: true },
      short: { httpOnly: true, sameSite: 'lax', signed: true },
    },
    ttl: {
      Session: SANDBOX_TTL.session,
      Grant: SANDBOX_TTL.grant,
      Interaction: SANDBOX_TTL.interaction,
      AuthorizationCode: SANDBOX_TTL.authorizationCode,
      AccessToken: SANDBOX_TTL.accessToken,
      IdToken: SANDBOX_TTL.idToken,
    },
    features: {
      devInteractions: { enabled: false },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: (ctx, form) => renderPage(ctx, 200, signOutPage(ctx.host, form)),
        postLogoutSuccessSource: (ctx) => renderPage(ctx, 200, signedOutPage()),
      },
    },
    interactions: { url: (_ctx, interaction) => interactionPath(interaction.uid) },
    findAccount: (_ctx, sub) => {
      const account = accountsBySub.get(sub);
      if (!account) return undefined;
      const { email, name, emailVerified } = account.user;
      return { accountId: sub, claims: () => ({ sub, email, email_verified: emailVerified ?? true, name }) };
    },
    loadExistingGrant: grantAllRequestedScopes,
    // CORS (for a browser app calling the token or userinfo endpoint) only from a client's own redirect origins.
    clientBasedCORS: (_ctx, origin, client) => client.redirectUris.some((uri) => URL.parse(uri)?.origin === origin),
    renderError: (ctx, out) => renderPage(ctx, ctx.status, errorPage(out.error, out.error_description)),
  };

  let provider: Provider;
  try {
    provider = new Provider(issuer, configuration);
    // oidc-provider checks a static client's metadata when it first looks it up: look each up now.
    for (const client of options.clients) {
      await provider.Client.find(client.clientId).catch((error: Error & { error_description?: string }) => {
        throw new Error(`sandbox client ${client.clientId}: ${error.error_description ?? error.message}`);
      });
    }
  } catch (error) {
    server.close();
    throw error;
  }
  provider.use(async (ctx, next) => {
    ctx.set('x-content-type-options', 'nosniff');
    await next();
  });
  provider.on('server_error', (_ctx, error) => {
    console.error(`oidc-sandbox: server error: ${error.message}`);
  });

  const interactions = interactionHandler(provider, accountsByEmail);
  const oidc = provider.callback();
  handle = (req, res) => {
    const pathname = URL.parse(req.url ?? '/', issuer)?.pathname ?? '/';
    if (!interactions(req, res, pathname)) void oidc(req, res);
  };

  return {
    issuer,
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
