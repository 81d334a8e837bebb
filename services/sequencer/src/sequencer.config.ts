import { z } from 'zod';
import { baseConfigShape, loadConfig } from '@telltale/runtime';

export const SequencerConfig = z.object({
  ...baseConfigShape,
  PORT: z.coerce.number().int().min(0).max(65535).default(3001),
  SEQUENCER_TICK_MS: z.coerce.number().int().min(0).default(1000),
  SEQUENCER_SEND_WINDOW_SECONDS: z.coerce.number().int().min(60).default(3600),
  SEQUENCER_RETRY_AFTER_SECONDS: z.coerce.number().int().min(1).default(300),
  INTERNAL_API_TOKEN: z.string().min(16, 'must be at least 16 characters'),
});
export type SequencerConfig = z.output<typeof SequencerConfig>;

export const loadSequencerConfig = (env: NodeJS.ProcessEnv = process.env) => loadConfig(SequencerConfig, env);
