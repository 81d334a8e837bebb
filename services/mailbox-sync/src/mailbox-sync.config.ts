import { z } from 'zod';
import { baseConfigShape, loadConfig } from '@telltale/runtime';
import { MailHostAllowlistSetting } from './mailboxes/mailbox-host-policy';

export const MailboxSyncConfig = z.object({
  ...baseConfigShape,
  PORT: z.coerce.number().int().min(0).max(65535).default(3004),
  CREDENTIALS_ENCRYPTION_KEYS: z.string().min(1),
  MAILBOX_FOLDER_POLL_MS: z.coerce.number().int().min(1000).default(30_000),
  /**
   * Inbound limits: past these only a message's header fields are read (a reply with a large
   * attachment still stops its campaign), and fetches stop at MAILBOX_MAX_MESSAGE_BYTES. The pod's
   * memory must hold a few messages of that size being parsed at once.
   */
  MAILBOX_MAX_MESSAGE_BYTES: z.coerce.number().int().min(64 * 1024).max(64 * 1024 * 1024).default(8 * 1024 * 1024),
  MAILBOX_MAX_MIME_PARTS: z.coerce.number().int().min(10).max(100_000).default(1000),
  MAILBOX_MAX_MIME_DEPTH: z.coerce.number().int().min(2).max(1000).default(30),
  /**
   * IMAP and SMTP servers that may be at loopback, private, link-local, CGNAT or other non-public
   * addresses (mailbox-host-policy.ts): comma-separated host names, addresses and CIDRs. Empty (the
   * default): public addresses only. The local sandbox and the tests name GreenMail's.
   */
  MAILBOX_HOST_ALLOWLIST: MailHostAllowlistSetting,
  /** How long connecting a mailbox (DNS, IMAP login, SMTP login) may take before it answers 422 mailbox_unreachable. */
  MAILBOX_CONNECT_TIMEOUT_MS: z.coerce.number().int().min(500).max(60_000).default(5_000),
  /** Google OAuth client; Gmail connections are refused until these are set. */
  GOOGLE_CLIENT_ID: z.string().min(1).optional(),
  GOOGLE_CLIENT_SECRET: z.string().min(1).optional(),
  GOOGLE_REDIRECT_URI: z.url().optional(),
  /** Overrides for local servers (tests, the emulator); production uses Google's defaults. */
  GOOGLE_OAUTH_AUTH_URL: z.url().optional(),
  GOOGLE_OAUTH_TOKEN_URL: z.url().optional(),
  GOOGLE_OAUTH_REVOKE_URL: z.url().optional(),
  GMAIL_API_ROOT_URL: z.url().default('https://gmail.googleapis.com/'),
  /** Polling fallback when push notifications stop arriving. */
  GMAIL_POLL_MS: z.coerce.number().int().min(200).default(60_000),
  /** Cloud Pub/Sub topic for users.watch; without it Gmail mailboxes are polled only. */
  GMAIL_PUBSUB_TOPIC: z.string().regex(/^projects\/[^/]+\/topics\/[^/]+$/).optional(),
  /** Shared secret in the push subscription's endpoint URL (?token=…), checked on every push. */
  GMAIL_PUSH_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  /** Authenticated push: the audience configured on the subscription and the service account that signs. */
  GMAIL_PUSH_AUDIENCE: z.string().min(1).optional(),
  GMAIL_PUSH_SERVICE_ACCOUNT: z.email().optional(),
  /** Microsoft identity platform app (multi-tenant); Graph connections are refused until these are set. */
  MS_CLIENT_ID: z.string().min(1).optional(),
  MS_CLIENT_SECRET: z.string().min(1).optional(),
  MS_REDIRECT_URI: z.url().optional(),
  MS_AUTHORITY: z.url().default('https://login.microsoftonline.com/common'),
  GRAPH_ORIGIN: z.url().default('https://graph.microsoft.com'),
  /** PEM of an extra CA trusted for Graph and the authority only (a local fake); never needed in production. */
  GRAPH_CA_PEM: z.string().includes('BEGIN CERTIFICATE').optional(),
  GRAPH_POLL_MS: z.coerce.number().int().min(200).default(60_000),
  /** Public https URL of POST /v1/push/graph for change notifications; without it Graph mailboxes are polled. */
  GRAPH_NOTIFICATION_URL: z.url().optional(),
});
export type MailboxSyncConfig = z.output<typeof MailboxSyncConfig>;

export const loadMailboxSyncConfig = (env: NodeJS.ProcessEnv = process.env) => loadConfig(MailboxSyncConfig, env);
