import { z } from 'zod';
import { baseConfigShape, loadConfig } from '@telltale/runtime';

export const MailboxSyncConfig = z.object({
  ...baseConfigShape,
  PORT: z.coerce.number().int().min(0).max(65535).default(3004),
  CREDENTIALS_ENCRYPTION_KEYS: z.string().min(1),
  INTERNAL_API_TOKEN: z.string().min(16, 'must be at least 16 characters'),
  MAILBOX_FOLDER_POLL_MS: z.coerce.number().int().min(1000).default(30_000),
});
export type MailboxSyncConfig = z.output<typeof MailboxSyncConfig>;

export const loadMailboxSyncConfig = (env: NodeJS.ProcessEnv = process.env) => loadConfig(MailboxSyncConfig, env);
