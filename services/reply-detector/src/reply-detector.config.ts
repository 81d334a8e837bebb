import { z } from 'zod';
import { baseConfigShape, loadConfig } from '@telltale/runtime';

export const ReplyDetectorConfig = z.object({
  ...baseConfigShape,
  PORT: z.coerce.number().int().min(0).max(65535).default(3005),
  /** Optional replacement for the bundled free-mail domain list. */
  FREE_MAIL_DOMAINS_FILE: z.string().optional(),
  /** Soft bounces in a row (on consecutive emails of an enrollment) that stop it. */
  SOFT_BOUNCE_STOP_AFTER: z.coerce.number().int().min(1).max(100).default(3),
  /** How long after a send an out-of-thread message from the prospect or their company still counts. */
  ACTIVE_WINDOW_DAYS: z.coerce.number().int().min(1).max(365).default(30),
});
export type ReplyDetectorConfig = z.output<typeof ReplyDetectorConfig>;

export const loadReplyDetectorConfig = (env: NodeJS.ProcessEnv = process.env) => loadConfig(ReplyDetectorConfig, env);
