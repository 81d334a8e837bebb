import { z } from 'zod';
import { BUNDLED_FREE_MAIL_DOMAINS_FILE } from '@telltale/mail';
import { baseConfigShape, loadConfig } from '@telltale/runtime';

export const SequencerConfig = z
  .object({
    ...baseConfigShape,
    PORT: z.coerce.number().int().min(0).max(65535).default(3001),
    SEQUENCER_TICK_MS: z.coerce.number().int().min(0).default(1000),
    SEQUENCER_SEND_WINDOW_SECONDS: z.coerce.number().int().min(60).default(3600),
    SEQUENCER_RETRY_AFTER_SECONDS: z.coerce.number().int().min(1).default(300),
    /** Out-of-office pause when the auto-reply states no return date. */
    SEQUENCER_OOO_DEFAULT_PAUSE_DAYS: z.coerce.number().min(0.01).max(365).default(7),
    /** Longest out-of-office pause, whatever return date the auto-reply states. */
    SEQUENCER_OOO_MAX_PAUSE_DAYS: z.coerce.number().min(0.01).max(365).default(30),
    /** Pause length for sequences whose company rule is `pause`. */
    SEQUENCER_COLLEAGUE_PAUSE_DAYS: z.coerce.number().min(0.01).max(365).default(14),
    SEQUENCER_FREE_MAIL_DOMAINS_FILE: z.string().min(1).default(BUNDLED_FREE_MAIL_DOMAINS_FILE),
  })
  .refine((c) => c.SEQUENCER_OOO_DEFAULT_PAUSE_DAYS <= c.SEQUENCER_OOO_MAX_PAUSE_DAYS, {
    message: 'must not exceed SEQUENCER_OOO_MAX_PAUSE_DAYS',
    path: ['SEQUENCER_OOO_DEFAULT_PAUSE_DAYS'],
  });
export type SequencerConfig = z.output<typeof SequencerConfig>;

export const loadSequencerConfig = (env: NodeJS.ProcessEnv = process.env) => loadConfig(SequencerConfig, env);
