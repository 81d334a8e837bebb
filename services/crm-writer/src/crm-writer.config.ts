import { z } from 'zod';
import { baseConfigShape, loadConfig } from '@telltale/runtime';

export const CrmWriterConfig = z.object({
  ...baseConfigShape,
  PORT: z.coerce.number().int().min(0).max(65535).default(3006),
  /** Telltale's connected app (consumer key and secret) for the OAuth 2.0 web-server flow. */
  SALESFORCE_CLIENT_ID: z.string().min(1).max(500),
  SALESFORCE_CLIENT_SECRET: z.string().min(1).max(500),
  /** Where Salesforce sends the admin's browser back after consent: the web app's Salesforce settings page. */
  SALESFORCE_REDIRECT_URI: z.url({ protocol: /^https?$/ }).max(2000).optional(),
  /** Login hosts an admin picks between ("production", "sandbox"); My Domain hosts are typed in. */
  SALESFORCE_PRODUCTION_LOGIN_URL: z.url({ protocol: /^https?$/ }).max(2000).default('https://login.salesforce.com'),
  SALESFORCE_SANDBOX_LOGIN_URL: z.url({ protocol: /^https?$/ }).max(2000).default('https://test.salesforce.com'),
  /**
   * Encrypts each organisation's refresh token or JWT private key at rest (`kid:base64key,…`, as
   * mailbox-sync's). Without it organisations cannot connect their own Salesforce.
   */
  CREDENTIALS_ENCRYPTION_KEYS: z.string().min(1).optional(),
  /**
   * Deprecated: one integration user for every organisation without its own connection, logged in
   * with the username-password flow. Used only when both username and password are set.
   */
  SALESFORCE_LOGIN_URL: z.url({ protocol: /^https?$/ }).max(2000).default('https://login.salesforce.com'),
  SALESFORCE_USERNAME: z.string().min(1).max(500).optional(),
  SALESFORCE_PASSWORD: z.string().min(1).max(500).optional(),
  /** How often waiting activities and roll-ups are written (0: never by timer; tests tick themselves). */
  CRM_WRITE_TICK_MS: z.coerce.number().int().min(0).max(3_600_000).default(1000),
  /**
   * Activities arriving within this window go to Salesforce in one call (200 waiting go at once):
   * the trade between API calls and how soon a Task shows (docs/crm-writer.md, bench:crm).
   */
  CRM_WRITE_BATCH_WINDOW_MS: z.coerce.number().int().min(0).max(3_600_000).default(30_000),
  /** Engagement on a Task within this window becomes one roll-up update. */
  CRM_ROLLUP_WINDOW_MS: z.coerce.number().int().min(0).max(86_400_000).default(60_000),
});
export type CrmWriterConfig = z.output<typeof CrmWriterConfig>;

export const loadCrmWriterConfig = (env: NodeJS.ProcessEnv = process.env) => loadConfig(CrmWriterConfig, env);
