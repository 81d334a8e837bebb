import { z } from 'zod';
import { baseConfigShape, loadConfig } from '@telltale/runtime';

export const OrganizationPlan = z.enum(['free', 'team', 'business']);
export type OrganizationPlan = z.infer<typeof OrganizationPlan>;

export const ContentConfig = z.object({
  ...baseConfigShape,
  PORT: z.coerce.number().int().min(0).max(65535).default(3007),
  /** Largest file a rep may upload, in bytes (a larger one is a 413 before it is stored). */
  CONTENT_MAX_UPLOAD_BYTES: z.coerce.number().int().min(1024).max(2_000_000_000).default(50 * 1024 * 1024),
  /** Where documents are kept: the local filesystem (embedded default) or an S3-compatible store. */
  CONTENT_STORAGE: z.enum(['filesystem', 's3']).default('filesystem'),
  CONTENT_STORAGE_DIR: z.string().min(1).max(1000).default('./.data/content'),
  CONTENT_S3_ENDPOINT: z.url({ protocol: /^https?$/ }).max(2000).optional(),
  CONTENT_S3_REGION: z.string().min(1).max(100).default('us-east-1'),
  CONTENT_S3_BUCKET: z.string().min(3).max(63).optional(),
  CONTENT_S3_ACCESS_KEY_ID: z.string().min(1).max(500).optional(),
  CONTENT_S3_SECRET_ACCESS_KEY: z.string().min(1).max(500).optional(),
  /** Path-style addressing (http://host/bucket/key), what most self-hosted S3-compatible servers need. */
  CONTENT_S3_FORCE_PATH_STYLE: z.enum(['true', 'false']).default('true').transform((v) => v === 'true'),
  /** The plan of an organisation nobody set one for; document features need team or business. */
  CONTENT_DEFAULT_PLAN: OrganizationPlan.default('team'),
  /** Conversion: the LibreOffice and poppler programs, the time and memory one job may take. */
  CONTENT_SOFFICE_PATH: z.string().min(1).max(1000).default('soffice'),
  CONTENT_POPPLER_DIR: z.string().max(1000).default(''),
  CONTENT_CONVERSION_TIMEOUT_MS: z.coerce.number().int().min(1000).max(3_600_000).default(180_000),
  CONTENT_CONVERSION_MEMORY_BYTES: z.coerce.number().int().min(64 * 1024 * 1024).max(64 * 1024 * 1024 * 1024).default(2 * 1024 * 1024 * 1024),
  /** Pages at most in a converted document (thumbnails cost); more fails the version. */
  CONTENT_MAX_PAGES: z.coerce.number().int().min(1).max(10_000).default(500),
  /** How often the worker looks for queued conversions besides being woken by the consumer (0: never by timer). */
  CONTENT_CONVERSION_TICK_MS: z.coerce.number().int().min(0).max(3_600_000).default(2000),
});
export type ContentConfig = z.output<typeof ContentConfig>;

export const loadContentConfig = (env: NodeJS.ProcessEnv = process.env) => loadConfig(ContentConfig, env);
