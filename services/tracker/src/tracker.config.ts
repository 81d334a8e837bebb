import { z } from 'zod';
import { baseConfigShape, loadConfig } from '@telltale/runtime';

export const TrackerConfig = z.object({
  ...baseConfigShape,
  PORT: z.coerce.number().int().min(0).max(65535).default(3003),
  TRACKING_SIGNING_KEYS: z.string().min(1),
});
export type TrackerConfig = z.output<typeof TrackerConfig>;

export const loadTrackerConfig = (env: NodeJS.ProcessEnv = process.env) => loadConfig(TrackerConfig, env);
