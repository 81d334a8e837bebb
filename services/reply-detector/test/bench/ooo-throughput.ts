/**
 * Out-of-office and unsubscribe reading on one core: `node services/reply-detector/dist/test/bench/ooo-throughput.js [seconds]`.
 * Over the parsed messages of test/ooo-corpus (35 languages, both holdouts): each function alone, and
 * what detectReply adds for an auto-reply (language + return date) and for a human reply (stop
 * request). Not a test: figures depend on the machine and its load.
 */
import { performance } from 'node:perf_hooks';
import { autoReplyLanguage, autoReplyReasons, extractReturnDate, unsubscribeRequest, type InboundMessage } from '../../src';
import { loadOooCorpus, parseOooCase } from '../support/ooo-corpus';

function rate(messages: readonly InboundMessage[], seconds: number, work: (m: InboundMessage) => unknown): number {
  for (let i = 0; i < 2000; i++) work(messages[i % messages.length]!);
  let n = 0;
  const start = performance.now();
  while (performance.now() - start < seconds * 1000) {
    for (const m of messages) work(m);
    n += messages.length;
  }
  return n / ((performance.now() - start) / 1000);
}

async function main(): Promise<void> {
  const seconds = Number(process.argv[2] ?? 2);
  const messages: InboundMessage[] = [];
  for (const set of ['table', 'holdout', 'holdout2'] as const) for (const c of loadOooCorpus(set)) messages.push(await parseOooCase(c));
  const lines = [`out-of-office reading (one core, ${messages.length} messages, ${seconds}s each):`];
  const show = (name: string, work: (m: InboundMessage) => unknown): void => {
    lines.push(`  ${name.padEnd(44)} ${Math.round(rate(messages, seconds, work)).toLocaleString('en').padStart(8)} messages/s`);
  };
  show('autoReplyReasons', (m) => autoReplyReasons(m));
  show('autoReplyLanguage', (m) => autoReplyLanguage(m));
  show('extractReturnDate', (m) => extractReturnDate(m.textBody, m.date ?? m.receivedAt, 'de'));
  show('unsubscribeRequest', (m) => unsubscribeRequest(m));
  show('all four (what one message can cost at most)', (m) => {
    autoReplyReasons(m);
    extractReturnDate(m.textBody, m.date ?? m.receivedAt, autoReplyLanguage(m));
    unsubscribeRequest(m);
  });
  process.stdout.write(`${lines.join('\n')}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exitCode = 1;
});
