import { z } from 'zod';
import { baseConfigShape, loadConfig } from '@telltale/runtime';

export const CrmWriterConfig = z.object({
  ...baseConfigShape,
  PORT: z.coerce.number().int().min(0).max(65535).default(3006),
  SALESFORCE_LOGIN_URL: z.url({ protocol: /^https?$/ }),
  SALESFORCE_CLIENT_ID: z.string().min(1),
  SALESFORCE_CLIENT_SECRET: z.string().min(1),
  SALESFORCE_USERNAME: z.string().min(1),
  SALESFORCE_PASSWORD: z.string().min(1),
});
export type CrmWriterConfig = z.output<typeof CrmWriterConfig>;

export const loadCrmWriterConfig = (env: NodeJS.ProcessEnv = process.env) => loadConfig(CrmWriterConfig, env);
