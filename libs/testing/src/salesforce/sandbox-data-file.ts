import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { z } from 'zod';
import type { StoredRecord } from './salesforce-schema';

/**
 * The sandbox's records as a JSON file, so the local sandbox keeps its data across
 * restarts. Sessions are not kept: a restart is a new login, which jsforce does on its own.
 */

const storedValue = z.union([z.string(), z.number(), z.boolean(), z.null()]);

const dataFileSchema = z.object({
  format: z.literal('telltale-salesforce-sandbox/v1'),
  sequence: z.number().int().nonnegative(),
  records: z.record(z.string(), z.array(z.record(z.string(), storedValue))),
});

export interface SandboxSnapshot {
  sequence: number;
  records: Record<string, StoredRecord[]>;
}

export function loadSandboxFile(path: string): SandboxSnapshot | null {
  if (!existsSync(path)) return null;
  const parsed = dataFileSchema.safeParse(JSON.parse(readFileSync(path, 'utf8')));
  if (!parsed.success) {
    throw new Error(`Salesforce sandbox data file ${path} is not valid: ${parsed.error.message}`);
  }
  return { sequence: parsed.data.sequence, records: parsed.data.records };
}

/** Write-then-rename, so a crash mid-write leaves the previous file intact. */
export function saveSandboxFile(path: string, snapshot: SandboxSnapshot): void {
  mkdirSync(dirname(path), { recursive: true });
  const body = JSON.stringify({ format: 'telltale-salesforce-sandbox/v1', ...snapshot }, null, 2);
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, body, 'utf8');
  renameSync(temp, path);
}
