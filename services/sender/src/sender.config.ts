import { UUID_PATTERN } from '@telltale/contracts';
import { z } from 'zod';
import { baseConfigShape, loadConfig } from '@telltale/runtime';
import { SENDER_TEST_FAULT_KINDS, type SenderTestFault } from './sending/send-recovery-settings';

export const SenderConfig = z.object({
  ...baseConfigShape,
  PORT: z.coerce.number().int().min(0).max(65535).default(3002),
  TRACKING_BASE_URL: z.url({ protocol: /^https?$/ }),
  TRACKING_SIGNING_KEYS: z.string().min(1),
  /**
   * Per-org custom tracking domains (docs/tracking-classification.md, "Custom tracking domains"): `orgId=https://t.acme.com,…`. Each
   * host must point at the tracker, which serves any host; orgs not listed use TRACKING_BASE_URL.
   */
  TRACKING_ORG_BASE_URLS: z
    .string()
    .default('')
    .transform((v) => v.split(',').map((s) => s.trim()).filter(Boolean).map((entry) => entry.split('=')))
    .pipe(
      z.array(
        z.tuple([
          z.string().regex(UUID_PATTERN, 'each entry must be <lower-case org UUID>=<https URL>'),
          z.url({ protocol: /^https?$/ }),
        ]),
      ),
    )
    .transform((entries) => new Map(entries)),
  SEQUENCER_URL: z.url({ protocol: /^https?$/ }),
  MAILBOX_SYNC_URL: z.url({ protocol: /^https?$/ }),
  /** The sender's own credential for the sequencer's and mailbox-sync's internal routes (their INTERNAL_CALLERS hold its digest). */
  SERVICE_CREDENTIAL: z.string().min(32, 'must be at least 32 characters').max(512),
  /**
   * A send whose outcome was not recorded (the process died after handing it over) is looked for in
   * the mailbox's sent mail; not found, it is sent again only this long after the attempt, the time a
   * provider may take to show what it accepted (docs/adr, "the sender's crash window").
   */
  SEND_CHECK_GRACE_MS: z.coerce.number().int().min(0).max(86_400_000).default(120_000),
  /** The same for IMAP/SMTP mailboxes, whose only Sent copy is one the SMTP server files itself, during or right after the submission. */
  SEND_CHECK_SMTP_GRACE_MS: z.coerce.number().int().min(0).max(86_400_000).default(30_000),
  /** How often the sender looks for such checks that are due, and the first wait before asking a provider again that did not answer. */
  SEND_CHECK_INTERVAL_MS: z.coerce.number().int().min(50).max(600_000).default(5_000),
  /** An unrecorded send nobody delivered again (a one-off send whose caller saw the crash) is checked this long after its attempt. */
  SEND_CHECK_ORPHAN_AFTER_MS: z.coerce.number().int().min(1_000).max(86_400_000).default(600_000),
  /**
   * Test-only fault injection, for a test to kill the process there: `<kind>` or `<kind>:<mailbox id>`,
   * comma-separated. `hang-before-provider-call` holds a send once its intent is recorded, before the
   * provider gets it; `hang-after-provider-accepted` right after the provider accepted it, before
   * anything is recorded; `hang-after-accepted-recorded` once its answer is written down.
   */
  SENDER_TEST_FAULT: z
    .string()
    .max(2_000)
    .default('')
    .transform((v) => v.split(',').map((s) => s.trim()).filter(Boolean).map((entry) => entry.split(':')))
    .pipe(z.array(z.union([z.tuple([z.enum(SENDER_TEST_FAULT_KINDS)]), z.tuple([z.enum(SENDER_TEST_FAULT_KINDS), z.string().regex(UUID_PATTERN)])])))
    .transform((entries) => entries.map(([kind, mailboxId]): SenderTestFault => ({ kind, mailboxId: mailboxId ?? null }))),
});
export type SenderConfig = z.output<typeof SenderConfig>;

export const loadSenderConfig = (env: NodeJS.ProcessEnv = process.env) => loadConfig(SenderConfig, env);
