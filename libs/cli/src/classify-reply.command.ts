import { readFile } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { loadFreeMailDomains, parseInboundMessage } from '@telltale/mail';
import {
  SentList,
  contextFromSentList,
  detectReply,
  indexSentList,
  toClassificationLine,
  type ClassificationLine,
  type IndexedSentEmail,
} from '@telltale/replies';

export interface ClassifyOptions {
  freeMailDomains?: ReadonlySet<string>;
  activeWindowDays?: number;
  mailboxAddress?: string;
}

export class UsageError extends Error {}

/**
 * npx runs a workspace bin from the package root; npm keeps the caller's directory in INIT_CWD, and
 * relative paths on the command line mean that one.
 */
export function callerPath(path: string): string {
  return resolve(process.env['INIT_CWD'] ?? process.cwd(), path);
}

/** Reads sent.json: a JSON array of `{messageId, from, to, cc, subject, sentAt}`; a clear error when it is not one. */
export async function loadSentList(path: string): Promise<IndexedSentEmail[]> {
  let json: unknown;
  try {
    json = JSON.parse(await readFile(callerPath(path), 'utf8'));
  } catch (error) {
    throw new UsageError(`cannot read ${path} as JSON: ${(error as Error).message}`);
  }
  const parsed = SentList.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new UsageError(`${path}: entry ${issue.path.join('.')}: ${issue.message}`);
  }
  return indexSentList(parsed.data);
}

/**
 * Classifies one raw message with the service's own code: the same parser mailbox-sync runs, the same
 * context questions answered from the sent list, the same classifier.
 */
export async function classifyRaw(file: string, raw: Buffer, sent: readonly IndexedSentEmail[], options: ClassifyOptions = {}): Promise<ClassificationLine> {
  const message = await parseInboundMessage(raw, { providerMessageId: basename(file), providerThreadId: null, folder: 'INBOX' });
  const freeMailDomains = options.freeMailDomains ?? loadFreeMailDomains();
  const ctx = contextFromSentList(message, sent, { freeMailDomains, activeWindowDays: options.activeWindowDays, mailboxAddress: options.mailboxAddress });
  return toClassificationLine(file, detectReply(message, ctx));
}

/** One line per file; a file that cannot be read or is not a message gets an error line and the rest go on. */
export async function* classifyFiles(files: readonly string[], sent: readonly IndexedSentEmail[], options: ClassifyOptions = {}): AsyncGenerator<ClassificationLine | { file: string; error: string }> {
  const freeMailDomains = options.freeMailDomains ?? loadFreeMailDomains();
  for (const file of files) {
    try {
      yield await classifyRaw(file, await readFile(callerPath(file)), sent, { ...options, freeMailDomains });
    } catch (error) {
      yield { file, error: (error as Error).message };
    }
  }
}

export function parseClassifyArgs(args: readonly string[]): { sent: string; files: string[]; mailbox?: string; windowDays?: number } {
  let sent: string | undefined;
  let mailbox: string | undefined;
  let windowDays: number | undefined;
  const files: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--sent') sent = args[++i];
    else if (arg.startsWith('--sent=')) sent = arg.slice('--sent='.length);
    else if (arg === '--mailbox') mailbox = args[++i];
    else if (arg === '--active-window-days') windowDays = Number(args[++i]);
    else if (arg.startsWith('--')) throw new UsageError(`unknown option ${arg}`);
    else files.push(arg);
  }
  if (!sent) throw new UsageError('--sent <sent.json> is required');
  if (files.length === 0) throw new UsageError('give at least one message file');
  if (windowDays !== undefined && !(Number.isInteger(windowDays) && windowDays > 0)) throw new UsageError('--active-window-days must be a positive integer');
  return { sent, files, mailbox, windowDays };
}
