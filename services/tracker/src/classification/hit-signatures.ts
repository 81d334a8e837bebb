import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { HitLabel } from '@telltale/contracts';
import { z } from 'zod';
import { AddressRanges } from '@telltale/contracts/dist/src/address-ranges';

const MachineLabel = HitLabel.exclude(['human', 'self', 'internal']);
type MachineLabel = z.infer<typeof MachineLabel>;

const Cidr = z.string().regex(/^[0-9a-fA-F:.]+\/\d{1,3}$/, 'must be an address/prefix CIDR');

/** The data file format (`data/hit-signatures.json`); updated without code changes. */
export const HitSignatureFile = z.object({
  version: z.string().min(1),
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
}

export function compileHitSignatures(file: HitSignatureFile): HitSignatures {
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
  };
}

/** The file shipped with the service (`services/tracker/data/hit-signatures.json`). */
export const DEFAULT_HIT_SIGNATURES_PATH = resolve(__dirname, '../../../data/hit-signatures.json');

/** Reads and validates a signature file; a bad file stops start-up with the failing fields named. */
export function loadHitSignatures(path: string = DEFAULT_HIT_SIGNATURES_PATH): HitSignatures {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new Error(`hit signatures ${path}: ${(err as Error).message}`);
  }
  const parsed = HitSignatureFile.safeParse(raw);
  if (!parsed.success) {
    throw new Error(`hit signatures ${path}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  }
  return compileHitSignatures(parsed.data);
}
