import { z } from 'zod';
import { baseConfigShape, loadConfig } from '@telltale/runtime';

export const ReplyDetectorConfig = z.object({
  ...baseConfigShape,
  PORT: z.coerce.number().int().min(0).max(65535).default(3005),
  /** Optional replacement for the bundled free-mail domain list. */
  FREE_MAIL_DOMAINS_FILE: z.string().optional(),
});
export type ReplyDetectorConfig = z.output<typeof ReplyDetectorConfig>;

export const loadReplyDetectorConfig = (env: NodeJS.ProcessEnv = process.env) => loadConfig(ReplyDetectorConfig, env);
