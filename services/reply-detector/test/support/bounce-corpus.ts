import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { BOUNCE_REASONS } from '@telltale/contracts';
import { parseInboundMessage } from '@telltale/mail';
import { contextFromSentList, detectReply, type ReplyVerdict } from '../../src';
import { CORPUS_MAILBOX, freeMailDomains } from './corpus';

/** dist/test/support → test/bounce-corpus: the .eml files stay in the source tree. */
export const BOUNCE_CORPUS_DIR = join(__dirname, '..', '..', '..', 'test', 'bounce-corpus');

const Expected = z.object({ severity: z.enum(['hard', 'soft']), reason: z.enum(BOUNCE_REASONS), mta: z.string() });
export type ExpectedBounce = z.infer<typeof Expected>;

export interface BounceCase {
  file: string;
  raw: Buffer;
  expected: ExpectedBounce;
}

/** One folder of the bounce corpus (`corpus`, `holdout` or `holdout2`): every .eml file has its line in manifest.json, and no line is left over. */
export function loadBounceCases(folder: 'corpus' | 'holdout' | 'holdout2'): BounceCase[] {
  const dir = join(BOUNCE_CORPUS_DIR, folder);
  const manifest = z.record(z.string(), Expected).parse(JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')));
  const files = readdirSync(dir).filter((f) => f.endsWith('.eml')).sort();
  const unlisted = files.filter((f) => !(f in manifest));
  const missing = Object.keys(manifest).filter((f) => !files.includes(f));
  if (unlisted.length + missing.length > 0) throw new Error(`${folder}: files without a manifest line: ${unlisted.join(', ') || '-'}; manifest lines without a file: ${missing.join(', ') || '-'}`);
  return files.map((file) => ({ file: `${folder}/${file}`, raw: readFileSync(join(dir, file)), expected: manifest[file]! }));
}

export interface BounceOutcome {
  file: string;
  expected: ExpectedBounce;
  /** What detectReply said: the kind, and for a bounce its severity and reason. */
  kind: ReplyVerdict['kind'];
  severity: 'hard' | 'soft' | null;
  reason: string | null;
  reasons: string[];
}

/** Runs the whole detector on a case, as the service does on an inbound message (no sent email known). */
export async function classifyBounceCase(c: BounceCase): Promise<BounceOutcome> {
  const message = await parseInboundMessage(c.raw, { providerMessageId: c.file, providerThreadId: null, folder: 'INBOX' });
  const verdict = detectReply(message, contextFromSentList(message, [], { freeMailDomains, mailboxAddress: CORPUS_MAILBOX }));
  return {
    file: c.file,
    expected: c.expected,
    kind: verdict.kind,
    severity: verdict.bounce?.severity ?? null,
    reason: verdict.bounce?.reason ?? null,
    reasons: verdict.reasons,
  };
}

export interface BounceScore {
  total: number;
  recognised: number;
  severityAgreed: number;
  reasonAgreed: number;
}

export function scoreOf(outcomes: readonly BounceOutcome[]): BounceScore {
  const recognised = outcomes.filter((o) => o.kind === 'bounce');
  return {
    total: outcomes.length,
    recognised: recognised.length,
    severityAgreed: recognised.filter((o) => o.severity === o.expected.severity).length,
    reasonAgreed: recognised.filter((o) => o.reason === o.expected.reason).length,
  };
}

const pct = (n: number, d: number): string => (d === 0 ? 'n/a' : `${((100 * n) / d).toFixed(1)}%`);

/** The figures as the accuracy report prints them: agreement is over the recognised bounces, as the issue measures it. */
export function describeScore(name: string, s: BounceScore): string[] {
  return [
    `${name}: ${s.total} bounces`,
    `  recognised as bounces: ${s.recognised}/${s.total} (${pct(s.recognised, s.total)})`,
    `  hard/soft agreement:   ${s.severityAgreed}/${s.recognised} (${pct(s.severityAgreed, s.recognised)}); over all files ${pct(s.severityAgreed, s.total)}`,
    `  reason agreement:      ${s.reasonAgreed}/${s.recognised} (${pct(s.reasonAgreed, s.recognised)}); over all files ${pct(s.reasonAgreed, s.total)}`,
  ];
}
