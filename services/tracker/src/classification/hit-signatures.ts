import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { HitLabel } from '@telltale/contracts';
import { z } from 'zod';
import { AddressRanges } from '@telltale/contracts/dist/src/address-ranges';
import { CloudRangeIndex, CloudRangesFile, EMPTY_CLOUD_RANGES } from './cloud-ranges';

const MachineLabel = HitLabel.exclude(['human', 'self', 'internal']);
type MachineLabel = z.infer<typeof MachineLabel>;

const Cidr = z.string().regex(/^[0-9a-fA-F:.]+\/\d{1,3}$/, 'must be an address/prefix CIDR');

/** The data file format (`data/hit-signatures.json`); updated without code changes. */
export const HitSignatureFile = z.object({
  version: z.string().min(1),
  /** When the hand-maintained lists were last checked against their sources (YYYY-MM-DD). */
  updated: z.iso.date().optional(),
  /** Where the hand-maintained lists come from. */
  sources: z.array(z.object({ name: z.string().min(1).max(160), url: z.url().optional() })).max(50).optional(),
  userAgents: z.array(z.object({ label: MachineLabel, name: z.string().min(1).max(80), pattern: z.string().min(1) })),
  ipRanges: z.array(z.object({ label: MachineLabel, name: z.string().min(1).max(120), cidrs: z.array(Cidr).min(1) })),
  privacyPrefetch: z.object({ appleGenericUserAgent: z.string().min(1) }),
  timing: z.object({
    linkBurstWindowSeconds: z.number().positive(),
    linkBurstMinOtherLinks: z.int().min(1),
    clickBeforeOpenScannerSeconds: z.number().positive(),
  }),
});
export type HitSignatureFile = z.infer<typeof HitSignatureFile>;

export interface UserAgentSignature {
  label: MachineLabel;
  name: string;
  pattern: RegExp;
}

export interface IpRangeSignature {
  label: MachineLabel;
  name: string;
  ranges: AddressRanges;
}

/** Compiled signatures: regexes and address block lists, built once at start. */
export interface HitSignatures {
  version: string;
  userAgents: UserAgentSignature[];
  ipRanges: IpRangeSignature[];
  appleGenericUserAgent: RegExp;
  timing: HitSignatureFile['timing'];
  /** Public cloud ranges (`data/cloud-ranges.json`, rebuilt by `npm run signatures:refresh`). */
  cloud: CloudRangeIndex;
  /** The hand-maintained file's `updated` date, if it has one. */
  updated: string | null;
}

export function compileHitSignatures(file: HitSignatureFile, cloud: CloudRangesFile = EMPTY_CLOUD_RANGES): HitSignatures {
  const regex = (pattern: string, where: string): RegExp => {
    try {
      return new RegExp(pattern, 'i');
    } catch {
      throw new Error(`${where}: invalid pattern`);
    }
  };
  return {
    version: file.version,
    userAgents: file.userAgents.map((s, i) => ({ label: s.label, name: s.name, pattern: regex(s.pattern, `userAgents[${i}] (${s.name})`) })),
    ipRanges: file.ipRanges.map((s, i) => ({ label: s.label, name: s.name, ranges: AddressRanges.compile(s.cidrs, `ipRanges[${i}] (${s.name})`) })),
    appleGenericUserAgent: regex(file.privacyPrefetch.appleGenericUserAgent, 'privacyPrefetch.appleGenericUserAgent'),
    timing: file.timing,
    cloud: CloudRangeIndex.compile(cloud),
    updated: file.updated ?? null,
  };
}

/** The files shipped with the service (`services/tracker/data/`). */
export const DEFAULT_HIT_SIGNATURES_PATH = resolve(__dirname, '../../../data/hit-signatures.json');
export const DEFAULT_CLOUD_RANGES_PATH = resolve(__dirname, '../../../data/cloud-ranges.json');

function readValidated<T>(path: string, what: string, schema: z.ZodType<T>): T {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new Error(`${what} ${path}: ${(err as Error).message}`);
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    throw new Error(`${what} ${path}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  }
  return parsed.data;
}

/**
 * Reads and validates the signature files; a bad file stops start-up with the failing fields named.
 * The cloud ranges file may be missing (a tree where no refresh ran): no cloud ranges then, and
 * start-up says so (signatureFreshness).
 */
export function loadHitSignatures(path: string = DEFAULT_HIT_SIGNATURES_PATH, cloudPath: string = DEFAULT_CLOUD_RANGES_PATH): HitSignatures {
  const file = readValidated(path, 'hit signatures', HitSignatureFile);
  const cloud = cloudPath === DEFAULT_CLOUD_RANGES_PATH && !existsSync(cloudPath) ? EMPTY_CLOUD_RANGES : readValidated(cloudPath, 'cloud ranges', CloudRangesFile);
  try {
    return compileHitSignatures(file, cloud);
  } catch (err) {
    throw new Error(`hit signatures: ${(err as Error).message}`);
  }
}
