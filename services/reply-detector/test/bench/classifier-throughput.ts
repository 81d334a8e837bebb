/**
 * Classifier throughput on one core: `node services/reply-detector/dist/test/bench/classifier-throughput.js [seconds]`.
 * Measures detectReply over the parsed corpus (the service's per-message work once mailbox-sync has
 * parsed), and parse + classify (what `telltale classify-reply` does per file). Not a test: figures
 * depend on the machine.
 */
import { performance } from 'node:perf_hooks';
import { CORPUS_MAILBOX, freeMailDomains, loadCorpus, parseCase } from '../support/corpus';
import { contextFromSentList, detectReply, type InboundMessage } from '../../src';

async function main(): Promise<void> {
  const seconds = Number(process.argv[2] ?? 3);
  const { cases, sent } = loadCorpus();
  const parsed: InboundMessage[] = [];
  for (const c of cases) {
    const m = await parseCase(c).catch(() => null);
    if (m) parsed.push(m);
  }
  const contexts = parsed.map((m) => contextFromSentList(m, sent, { freeMailDomains, mailboxAddress: CORPUS_MAILBOX }));
  // Warm up the JIT before measuring.
  for (let i = 0; i < 2000; i++) detectReply(parsed[i % parsed.length]!, contexts[i % parsed.length]!);
  let n = 0;
  const start = performance.now();
  while (performance.now() - start < seconds * 1000) {
    for (let i = 0; i < parsed.length; i++) detectReply(parsed[i]!, contexts[i]!);
    n += parsed.length;
  }
  const classifyRate = n / ((performance.now() - start) / 1000);

  const raws = cases.filter((c) => !('error' in c.expected));
  let m = 0;
  const start2 = performance.now();
  while (performance.now() - start2 < seconds * 1000) {
    for (const c of raws) {
      const message = await parseCase(c);
      detectReply(message, contextFromSentList(message, sent, { freeMailDomains, mailboxAddress: CORPUS_MAILBOX }));
    }
    m += raws.length;
  }
  const fullRate = m / ((performance.now() - start2) / 1000);
  process.stdout.write(
    `classifier throughput (one core, ${parsed.length} corpus messages, ${seconds}s each):\n` +
      `  detectReply on parsed messages: ${Math.round(classifyRate).toLocaleString('en-US')} messages/s\n` +
      `  parse + context + detectReply:  ${Math.round(fullRate).toLocaleString('en-US')} messages/s\n`,
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exitCode = 1;
});
