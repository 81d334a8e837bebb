import { z } from 'zod';
import { baseConfigShape, booleanConfigFlag, loadConfig } from '@telltale/runtime';

const JsonObject = z.string().max(100_000).transform((text, ctx) => {
  try {
    const value = JSON.parse(text) as unknown;
    if (value && typeof value === 'object' && !Array.isArray(value)) return value as Record<string, unknown>;
  } catch {
    // reported below
  }
  ctx.addIssue({ code: 'custom', message: 'must be a JSON object' });
  return z.NEVER;
});

/** The first organisation, created (or brought up to date) at start: how a new installation gets its admin. */
export const Bootstrap = z
  .object({
    orgId: z.uuid().transform((v) => v.toLowerCase()),
    name: z.string().min(1).max(200),
    signUpDomains: z.array(z.string().min(1).max(253)).max(50).default([]),
    admins: z.array(z.email().max(320)).min(1).max(50),
    /** Others invited with a role (they join at their first sign-in). */
    members: z.array(z.object({ email: z.email().max(320), role: z.enum(['admin', 'manager', 'rep']) }).strict()).max(500).default([]),
    identityProvider: z.object({ issuer: z.url(), clientId: z.string().min(1).max(500), clientSecret: z.string().min(1).max(2000).optional() }).strict(),
    /** An API key for scripts, created once with exactly this value (`ttk_<32 hex>_<secret>`), so the operator who chose it knows it. */
    apiKey: z
      .object({ name: z.string().min(1).max(100), key: z.string().regex(/^ttk_[0-9a-f]{32}_[A-Za-z0-9_-]{32,200}$/, 'must be ttk_<32 hex>_<32+ url-safe characters>'), scopes: z.array(z.string().max(100)).min(1).max(50) })
      .strict()
      .optional(),
  })
  .strict();
export type Bootstrap = z.output<typeof Bootstrap>;

export const AppConfig = z.object({
  ...baseConfigShape,
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  /** Where browsers reach the app (redirect URIs, cookie security, the CSRF origin check). */
  APP_PUBLIC_URL: z.url({ protocol: /^https?$/ }).transform((v) => new URL(v).origin),
  /** The private EC P-256 JWK the identity tokens are signed with; its public half is `/.well-known/jwks.json`. */
  IDENTITY_SIGNING_KEY: JsonObject,
  /** Encrypts identity providers' client secrets at rest (`kid:base64-32-bytes,…`, first one encrypts). */
  APP_ENCRYPTION_KEYS: z.string().min(1).max(10_000),
  APP_SESSION_IDLE_MINUTES: z.coerce.number().int().min(1).max(60 * 24 * 30).default(12 * 60),
  APP_SESSION_ABSOLUTE_HOURS: z.coerce.number().int().min(1).max(24 * 90).default(7 * 24),
  /** Identity providers reached over plain http (only a local sandbox issuer): allowed only when set. */
  OIDC_ALLOW_HTTP_ISSUERS: booleanConfigFlag.default(false),
  APP_BOOTSTRAP: JsonObject.pipe(Bootstrap).optional(),
  SEQUENCER_URL: z.url({ protocol: /^https?$/ }),
  SENDER_URL: z.url({ protocol: /^https?$/ }),
  TRACKER_URL: z.url({ protocol: /^https?$/ }),
  MAILBOX_SYNC_URL: z.url({ protocol: /^https?$/ }),
  REPLY_DETECTOR_URL: z.url({ protocol: /^https?$/ }),
  /** The crm-writer (the organisation's Salesforce connection); absent, /api/v1/salesforce answers 503. */
  CRM_WRITER_URL: z.url({ protocol: /^https?$/ }).optional(),
  /** The content service (the content library, issue 16); absent, /api/v1/documents answers 503. */
  CONTENT_URL: z.url({ protocol: /^https?$/ }).optional(),
  /** The plan of an organisation nobody set one for (free, team, business); told to the content service. */
  APP_DEFAULT_PLAN: z.enum(['free', 'team', 'business']).default('team'),
  /** The app's own credential for other services' internal routes (content's plan updates); absent, plans are not sent. */
  SERVICE_CREDENTIAL: z.string().min(32).max(500).optional(),
  /** How often a plan the content service has not acknowledged is sent again (0: at start and on a change only). */
  APP_PLAN_SYNC_MS: z.coerce.number().int().min(0).max(86_400_000).default(30_000),
  /**
   * Where browsers reach the tracking domain (the tracker's public URL): "This is my device" sends
   * the browser there so the tracker sets its device cookie. Absent, the app's own origin.
   */
  APP_TRACKING_URL: z.url({ protocol: /^https?$/ }).transform((v) => new URL(v).origin).optional(),
  /** The built browser app (index.html and assets/); default services/app/dist/web. */
  APP_WEB_ROOT: z.string().min(1).max(1000).optional(),
});
export type AppConfig = z.output<typeof AppConfig>;

export const loadAppConfigSync = (env: NodeJS.ProcessEnv = process.env) => loadConfig(AppConfig, env);
export const loadAppConfig = async (env: NodeJS.ProcessEnv = process.env) => loadAppConfigSync(env);
