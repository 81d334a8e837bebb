import { z } from 'zod';
import { baseConfigShape, loadConfig } from '@telltale/runtime';

const commaList = z
  .string()
  .default('')
  .transform((v) => v.split(',').map((s) => s.trim()).filter(Boolean));

export const TrackerConfig = z.object({
  ...baseConfigShape,
  PORT: z.coerce.number().int().min(0).max(65535).default(3003),
  TRACKING_SIGNING_KEYS: z.string().min(1),
  /** Signature data (user agents, IP ranges) for classification; defaults to the shipped `data/hit-signatures.json`. */
  TRACKER_SIGNATURES_PATH: z.string().min(1).optional(),
  /** Public cloud ranges (rebuilt by `npm run signatures:refresh`); defaults to the shipped `data/cloud-ranges.json`. */
  TRACKER_CLOUD_RANGES_PATH: z.string().min(1).optional(),
  /**
   * Where this process reads the providers' cloud lists to keep the ranges current while it runs
   * (https URLs, files or folders, comma-separated; see docs/tracking-classification.md). Empty:
   * this process only loads what another one refreshed (from tracker.cloud_ranges).
   */
  TRACKER_CLOUD_RANGES_REFRESH_FROM: commaList,
  /** How often the lists above are read again (hours). */
  TRACKER_CLOUD_RANGES_REFRESH_HOURS: z.coerce.number().min(1).max(720).default(24),
  /** How often every tracker process looks for refreshed cloud ranges in the database (ms). */
  TRACKER_CLOUD_RANGES_RELOAD_MS: z.coerce.number().int().min(1_000).max(86_400_000).default(600_000),
  /** Start-up warns when a signature list is older than this (days). */
  TRACKER_SIGNATURES_MAX_AGE_DAYS: z.coerce.number().int().min(1).max(3650).default(30),
  /**
   * Whether this process also runs the engagement store (the consumer that appends
   * `tracking.engagement.v1` to `tracker.engagement`). On by default; a large deployment can run
   * pixel-only replicas (false) and a few store replicas, so the edge never spends CPU on the database.
   */
  TRACKER_ENGAGEMENT_STORE: z.enum(['true', 'false']).default('true').transform((v) => v === 'true'),
  /** Folder of the durable hit spill (ADR 0005); defaults to one per database under the OS temp folder. */
  TRACKER_SPILL_DIR: z.string().min(1).optional(),
  /**
   * Express "trust proxy" for the client address behind a load balancer (`loopback`, a hop count,
   * or CIDRs). Unset: the socket address, never X-Forwarded-For, which any client can forge.
   */
  TRUST_PROXY: z.string().min(1).optional(),
  /** Where device registration may send the browser back to: exact origins of the Telltale app. */
  TRACKER_APP_ORIGINS: commaList.pipe(z.array(z.url({ protocol: /^https?$/ }))),
  /**
   * Processes answering the open pixel on PORT (ADR 8). 1: this process answers everything. N > 1:
   * N pixel processes share the port (SO_REUSEPORT) and answer the pixel; each forwards its hits to
   * this process, which classifies and records every hit (so the per-email rules see them all) and
   * serves every other path (the pixel processes pass those on). Set it to the pod's cores.
   */
  TRACKER_WORKERS: z.coerce.number().int().min(1).max(64).default(1),
  /**
   * The broadest office range an organisation may set: a range covering more addresses than a /8
   * (IPv4) or a /32 (IPv6) would label a large part of the internet's opens and clicks internal
   * (`0.0.0.0/0`: every one of them) and is refused.
   */
  OFFICE_RANGE_MIN_PREFIX_V4: z.coerce.number().int().min(0).max(32).default(8),
  OFFICE_RANGE_MIN_PREFIX_V6: z.coerce.number().int().min(0).max(128).default(32),
  /** How often devices and office ranges changed by other replicas are re-read. */
  TRACKER_DIRECTORY_REFRESH_MS: z.coerce.number().int().min(100).default(10_000),
});
export type TrackerConfig = z.output<typeof TrackerConfig>;

export const loadTrackerConfig = (env: NodeJS.ProcessEnv = process.env) => loadConfig(TrackerConfig, env);
