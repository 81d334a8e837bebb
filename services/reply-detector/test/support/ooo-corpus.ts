import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseInboundMessage } from '@telltale/mail';
import { contextFromSentList, detectReply, type InboundMessage, type ReplyVerdict } from '../../src';
import { freeMailDomains, CORPUS_MAILBOX } from './corpus';

/** dist/test/support → test/ooo-corpus: the .eml files stay in the source tree. */
export const OOO_CORPUS_DIR = join(__dirname, '..', '..', '..', 'test', 'ooo-corpus');

export interface OooCase {
  file: string;
  label: string;
  provider: string;
  kind: 'auto_reply' | 'reply';
  returnDate: string | null;
  unsubscribe?: boolean;
}

/** The table (default) or a holdout, whose expected.json sits in its folder and names files from the corpus root. */
export function loadOooCorpus(set: 'table' | 'holdout' | 'holdout2' = 'table'): OooCase[] {
  const expected = JSON.parse(readFileSync(join(OOO_CORPUS_DIR, ...(set === 'table' ? [] : [set]), 'expected.json'), 'utf8')) as Record<string, Omit<OooCase, 'file'>>;
  return Object.entries(expected).map(([file, e]) => ({ file, ...e }));
}

/** The raw bytes as mailbox-sync reads them, through the same parser. */
export async function parseOooCase(c: OooCase): Promise<InboundMessage> {
  return parseInboundMessage(readFileSync(join(OOO_CORPUS_DIR, c.file)), { providerMessageId: c.file, providerThreadId: null, folder: 'INBOX' });
}

/** Classified with no sent emails known: kind, return date and unsubscribe do not depend on a match. */
export function classifyOoo(message: InboundMessage): ReplyVerdict {
  return detectReply(message, contextFromSentList(message, [], { freeMailDomains, mailboxAddress: CORPUS_MAILBOX }));
}

/** The same message without any header that marks automatic mail: only its subject and body speak. */
export function withoutAutoHeaders(message: InboundMessage): InboundMessage {
  const m = message.autoReplyMarkers;
  return { ...message, autoReplyMarkers: { ...m, autoSubmitted: null, precedence: null, xAutoreply: null, xAutorespond: null, xAutoResponseSuppress: null, xMsExchangeAutoReply: null } };
}
