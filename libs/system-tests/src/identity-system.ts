import { randomBytes } from 'node:crypto';
import { startApp, AppConfig } from '@telltale/app';
import type { Clock } from '@telltale/db';
import { CookieJar, SANDBOX_PASSWORD, SANDBOX_USERS, signInOverHttp, startSandboxIssuer, type SandboxIssuer } from '@telltale/oidc-sandbox';
import { IdentityTokenIssuer, type StartedService } from '@telltale/runtime';
import { findFreePort } from '@telltale/testing';
import { createLogger } from '@telltale/telemetry';
import { startTelltaleSystem, type SystemOptions, type TelltaleSystem } from './telltale-system';

export const SANDBOX_ORG_DOMAIN = 'telltale.test';

export interface IdentitySystem {
  app: StartedService;
  issuer: SandboxIssuer;
  /** What the services behind the app verify its identity tokens with (inline key set). */
  serviceIdentityEnv: { IDENTITY_ISSUER: string; IDENTITY_JWKS: string };
  orgId: string;
  /** The bootstrap API key (admin, every scope). */
  adminApiKey: string;
  stop(): Promise<void>;
}

/** What the services behind the app need to verify its identity tokens (an inline key set). */
export function serviceIdentityEnv(signing: IdentityTokenIssuer): IdentitySystem['serviceIdentityEnv'] {
  return { IDENTITY_ISSUER: signing.issuer, IDENTITY_JWKS: JSON.stringify(signing.jwks()) };
}

/**
 * The app service with its organisation bootstrapped against a real OpenID provider (the sandbox
 * issuer, oidc-provider) — admin@telltale.test is its admin; everyone else must be invited.
 */
export async function startIdentitySystem(options: {
  databaseUrl: string;
  kafkaBrokers: string;
  topicPrefix: string;
  upstreams: { sequencer?: string; sender?: string; tracker?: string; mailboxSync?: string; replyDetector?: string; crmWriter?: string; content?: string };
  clock?: Clock;
  appPort?: number;
  sessionIdleMinutes?: number;
  /** The app's token signer, when the services behind it were started with its key set already (startSignedInSystem). */
  signing?: IdentityTokenIssuer;
  /** More app settings (e.g. APP_TRACKING_URL). */
  appEnv?: Record<string, string>;
}): Promise<IdentitySystem> {
  const appPort = options.appPort ?? 0;
  const signing = options.signing ?? (await IdentityTokenIssuer.generate('telltale-app'));
  const orgId = crypto.randomUUID();
  const adminApiKey = `ttk_${randomBytes(16).toString('hex')}_${randomBytes(32).toString('base64url')}`;
  const clientSecret = randomBytes(24).toString('base64url');
  const unreachable = 'http://127.0.0.1:9';
  const startWith = async (port: number, issuerUrl: string) =>
    startApp(
      AppConfig.parse({
        DATABASE_URL: options.databaseUrl,
        KAFKA_BROKERS: options.kafkaBrokers,
        KAFKA_TOPIC_PREFIX: options.topicPrefix,
        HOST: '127.0.0.1',
        PORT: String(port),
        LOG_LEVEL: 'warn',
        APP_PUBLIC_URL: `http://127.0.0.1:${port}`,
        IDENTITY_SIGNING_KEY: JSON.stringify(signing.privateJwk),
        APP_ENCRYPTION_KEYS: `a1:${randomBytes(32).toString('base64')}`,
        OIDC_ALLOW_HTTP_ISSUERS: 'true',
        ...(options.sessionIdleMinutes ? { APP_SESSION_IDLE_MINUTES: String(options.sessionIdleMinutes) } : {}),
        APP_BOOTSTRAP: JSON.stringify({
          orgId,
          name: 'Telltale Sandbox',
          signUpDomains: [],
          admins: ['admin@telltale.test'],
          identityProvider: { issuer: issuerUrl, clientId: 'telltale-app', clientSecret },
          apiKey: { name: 'bootstrap', key: adminApiKey, scopes: ['write'] },
        }),
        SEQUENCER_URL: options.upstreams.sequencer ?? unreachable,
        SENDER_URL: options.upstreams.sender ?? unreachable,
        TRACKER_URL: options.upstreams.tracker ?? unreachable,
        MAILBOX_SYNC_URL: options.upstreams.mailboxSync ?? unreachable,
        REPLY_DETECTOR_URL: options.upstreams.replyDetector ?? unreachable,
        CRM_WRITER_URL: options.upstreams.crmWriter ?? unreachable,
        CONTENT_URL: options.upstreams.content ?? unreachable,
        ...options.appEnv,
      }),
      { clock: options.clock, logger: createLogger({ service: 'app', level: 'warn' }) },
    );
  // The issuer must know the app's redirect URI, so the app's port is chosen first.
  const port = appPort || (await findFreePort());
  const issuer = await startSandboxIssuer({
    port: 0,
    users: SANDBOX_USERS,
    clients: [{ clientId: 'telltale-app', clientSecret, redirectUris: [`http://127.0.0.1:${port}/auth/callback`], postLogoutRedirectUris: [`http://127.0.0.1:${port}/`] }],
  });
  let app: StartedService;
  try {
    app = await startWith(port, issuer.issuer);
  } catch (err) {
    await issuer.stop();
    throw err;
  }
  return {
    app,
    issuer,
    serviceIdentityEnv: serviceIdentityEnv(signing),
    orgId,
    adminApiKey,
    stop: async () => {
      await app.stop();
      await issuer.stop();
    },
  };
}

export interface SignedInSystem {
  /** The six services, verifying the app's identity tokens. */
  services: TelltaleSystem;
  /** The app, its gateway forwarding to those services, with the sandbox OpenID provider. */
  identity: IdentitySystem;
  stop(): Promise<void>;
}

/**
 * The whole system as users reach it: the six services (startTelltaleSystem) trusting the app's key
 * set instead of the LocalIdentity, and the app (startIdentitySystem) forwarding `/api/v1/…` to them.
 */
export async function startSignedInSystem(options: SystemOptions & { sessionIdleMinutes?: number }): Promise<SignedInSystem> {
  const signing = await IdentityTokenIssuer.generate('telltale-app');
  // The app's port first: the tracker sends browsers back to it after device registration.
  const appPort = await findFreePort();
  const services = await startTelltaleSystem({
    ...options,
    identityEnv: serviceIdentityEnv(signing),
    trackerEnv: { TRACKER_APP_ORIGINS: `http://127.0.0.1:${appPort}`, ...options.trackerEnv },
    // Salesforce sends the admin's browser back to the web app's settings page.
    crmWriterEnv: { SALESFORCE_REDIRECT_URI: `http://127.0.0.1:${appPort}/settings/salesforce/callback`, ...options.crmWriterEnv },
  });
  let identity: IdentitySystem;
  try {
    identity = await startIdentitySystem({
      databaseUrl: options.databaseUrl,
      kafkaBrokers: options.kafkaBrokers,
      topicPrefix: options.topicPrefix,
      clock: options.clock,
      sessionIdleMinutes: options.sessionIdleMinutes,
      signing,
      appPort,
      // Where "This is my device" sends the browser: the tracker's own URL, as a deployment's tracking domain.
      appEnv: { APP_TRACKING_URL: services.tracker.url },
      upstreams: {
        sequencer: services.sequencer.url,
        sender: services.sender.url,
        tracker: services.tracker.url,
        mailboxSync: services.mailboxSync.url,
        replyDetector: services.replyDetector.url,
        crmWriter: services.crmWriter.url,
        content: services.content.url,
      },
    });
  } catch (err) {
    await services.stop();
    throw err;
  }
  return {
    services,
    identity,
    stop: async () => {
      await identity.stop();
      await services.stop();
    },
  };
}

/** A browser of the app: its cookies, the CSRF token it read from /api/v1/me. */
export class AppBrowser {
  readonly cookies = new CookieJar();
  csrfToken: string | null = null;

  constructor(readonly appUrl: string) {}

  async fetch(path: string, init: { method?: string; body?: unknown; csrf?: boolean; headers?: Record<string, string> } = {}): Promise<Response> {
    const url = new URL(path, this.appUrl);
    const headers: Record<string, string> = { ...(init.headers ?? {}) };
    const cookie = this.cookies.header(url);
    if (cookie) headers.cookie = cookie;
    if (init.body !== undefined) headers['content-type'] = 'application/json';
    if (init.csrf !== false && this.csrfToken && init.method && init.method !== 'GET') headers['x-csrf-token'] = this.csrfToken;
    const res = await fetch(url, { method: init.method ?? 'GET', headers, body: init.body === undefined ? undefined : JSON.stringify(init.body), redirect: 'manual' });
    this.cookies.store(url, res);
    return res;
  }

  /** Signs in through the sandbox issuer's form, as a person would; returns the app's final answer. */
  async signIn(email: string, password = SANDBOX_PASSWORD): Promise<Response> {
    const start = await this.fetch(`/auth/sign-in?email=${encodeURIComponent(email)}`);
    if (start.status !== 302) return start;
    const { callbackUrl } = await signInOverHttp({ authorizationUrl: start.headers.get('location')!, email, password });
    const done = await this.fetch(callbackUrl.pathname + callbackUrl.search);
    if (done.status === 302) {
      const me = await this.fetch('/api/v1/me');
      if (me.status === 200) this.csrfToken = ((await me.json()) as { csrfToken: string }).csrfToken;
    }
    return done;
  }
}
