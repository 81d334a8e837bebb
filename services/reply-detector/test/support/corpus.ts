import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { loadFreeMailDomains, parseInboundMessage } from '@telltale/mail';
import {
  SentList,
  contextFromSentList,
  detectReply,
  indexSentList,
  toClassificationLine,
  type ClassificationLine,
  type IndexedSentEmail,
  type InboundMessage,
} from '../../src';

/** dist/test/support → test/corpus: the .eml files stay in the source tree. */
export const CORPUS_DIR = join(__dirname, '..', '..', '..', 'test', 'corpus');
/** The rep whose mailbox received the corpus. */
export const CORPUS_MAILBOX = 'dana.whitfield@northwind-sales.com';

const Expected = z.union([
  z.object({ error: z.literal(true) }),
  z.object({
    kind: z.enum(['reply', 'auto_reply', 'bounce', 'other']),
    bounce: z.enum(['hard', 'soft']).nullable(),
    matchedMessageId: z.string().nullable(),
    relation: z.enum(['prospect', 'colleague', 'cc', 'other']).nullable(),
    returnDate: z.string().nullable(),
  }),
]);
export type Expected = z.infer<typeof Expected>;
export type Verdict = Exclude<Expected, { error: true }>;

export interface CorpusCase {
  file: string;
  raw: Buffer;
  expected: Expected;
}

export function loadCorpus(): { cases: CorpusCase[]; sent: IndexedSentEmail[] } {
  const expected = z.record(z.string(), Expected).parse(JSON.parse(readFileSync(join(CORPUS_DIR, 'expected.json'), 'utf8')));
  const files = readdirSync(CORPUS_DIR)
    .filter((d) => statSync(join(CORPUS_DIR, d)).isDirectory())
    .flatMap((d) => readdirSync(join(CORPUS_DIR, d)).filter((f) => f.endsWith('.eml')).map((f) => `${d}/${f}`))
    .sort();
  const missing = files.filter((f) => !(f in expected));
  if (missing.length > 0) throw new Error(`corpus files without an expected verdict: ${missing.join(', ')}`);
  const cases = files.map((file) => ({ file, raw: readFileSync(join(CORPUS_DIR, file)), expected: expected[file]! }));
  const sent = indexSentList(SentList.parse(JSON.parse(readFileSync(join(CORPUS_DIR, 'sent.json'), 'utf8'))));
  return { cases, sent };
}

export const freeMailDomains = loadFreeMailDomains();

export async function parseCase(c: CorpusCase): Promise<InboundMessage> {
  return parseInboundMessage(c.raw, { providerMessageId: c.file, providerThreadId: null, folder: 'INBOX' });
}

/** Exactly what `telltale classify-reply` does for one file. */
export function classifyParsed(file: string, message: InboundMessage, sent: readonly IndexedSentEmail[]): ClassificationLine {
  return toClassificationLine(file, detectReply(message, contextFromSentList(message, sent, { freeMailDomains, mailboxAddress: CORPUS_MAILBOX })));
}

export function verdictOf(line: ClassificationLine): Verdict {
  return { kind: line.kind, bounce: line.bounce, matchedMessageId: line.matchedMessageId, relation: line.relation, returnDate: line.returnDate };
}
