import { z } from 'zod';
import { baseConfigShape, loadConfig } from '@telltale/runtime';

export const SenderConfig = z.object({
  ...baseConfigShape,
  PORT: z.coerce.number().int().min(0).max(65535).default(3002),
  TRACKING_BASE_URL: z.url({ protocol: /^https?$/ }),
  TRACKING_SIGNING_KEYS: z.string().min(1),
  SEQUENCER_URL: z.url({ protocol: /^https?$/ }),
  MAILBOX_SYNC_URL: z.url({ protocol: /^https?$/ }),
  INTERNAL_API_TOKEN: z.string().min(16, 'must be at least 16 characters'),
});
export type SenderConfig = z.output<typeof SenderConfig>;

export const loadSenderConfig = (env: NodeJS.ProcessEnv = process.env) => loadConfig(SenderConfig, env);
