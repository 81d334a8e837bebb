/**
 * `npm run accuracy:replies`: runs the classifier over the golden corpus and prints precision and
 * recall per kind, bounce hard/soft agreement, and match, relation and return-date accuracy; then the
 * bounce corpus and its holdout (issue 15): bounces recognised, hard/soft and reason agreement.
 */
import { classifyBounceCase, describeScore, loadBounceCases, scoreOf, type BounceOutcome } from '../support/bounce-corpus';
import { classifyParsed, loadCorpus, parseCase, verdictOf, type Verdict } from '../support/corpus';
import { classifyOoo, loadOooCorpus, parseOooCase, type OooCase } from '../support/ooo-corpus';

const KINDS = ['reply', 'auto_reply', 'bounce', 'other'] as const;
const pct = (n: number, d: number): string => (d === 0 ? '   n/a' : `${((100 * n) / d).toFixed(1).padStart(5)}%`);

async function main(): Promise<void> {
  const { cases, sent } = loadCorpus();
  const pairs: { file: string; expected: Verdict; actual: Verdict }[] = [];
  let errorsExpected = 0;
  let errorsAgreed = 0;
  for (const c of cases) {
    const parsed = await parseCase(c).then(
      (m) => m,
      () => null,
    );
    if ('error' in c.expected) {
      errorsExpected++;
      if (parsed === null) errorsAgreed++;
      continue;
    }
    if (parsed === null) {
      pairs.push({ file: c.file, expected: c.expected, actual: { kind: 'other', bounce: null, matchedMessageId: null, relation: null, returnDate: null } });
      continue;
    }
    pairs.push({ file: c.file, expected: c.expected, actual: verdictOf(classifyParsed(c.file, parsed, sent)) });
  }
  const lines: string[] = [`Reply classifier accuracy over ${cases.length} corpus messages (${pairs.length} classified, ${errorsExpected} expected parse errors, ${errorsAgreed} agreed)`, ''];
  lines.push('kind         support  precision  recall');
  for (const kind of KINDS) {
    const tp = pairs.filter((p) => p.expected.kind === kind && p.actual.kind === kind).length;
    const predicted = pairs.filter((p) => p.actual.kind === kind).length;
    const support = pairs.filter((p) => p.expected.kind === kind).length;
    lines.push(`${kind.padEnd(12)} ${String(support).padStart(7)}  ${pct(tp, predicted).padStart(9)}  ${pct(tp, support).padStart(6)}`);
  }
  const bothBounce = pairs.filter((p) => p.expected.kind === 'bounce' && p.actual.kind === 'bounce');
  const severityAgree = bothBounce.filter((p) => p.expected.bounce === p.actual.bounce).length;
  lines.push('', `bounce hard/soft agreement: ${severityAgree}/${bothBounce.length} (${pct(severityAgree, bothBounce.length).trim()})`);
  for (const sev of ['hard', 'soft'] as const) {
    const support = bothBounce.filter((p) => p.expected.bounce === sev).length;
    const tp = bothBounce.filter((p) => p.expected.bounce === sev && p.actual.bounce === sev).length;
    const predicted = bothBounce.filter((p) => p.actual.bounce === sev).length;
    lines.push(`  ${sev}: support ${support}, precision ${pct(tp, predicted).trim()}, recall ${pct(tp, support).trim()}`);
  }
  const matchAgree = pairs.filter((p) => p.expected.matchedMessageId === p.actual.matchedMessageId).length;
  const shouldMatch = pairs.filter((p) => p.expected.matchedMessageId !== null);
  const matchedRight = shouldMatch.filter((p) => p.actual.matchedMessageId === p.expected.matchedMessageId).length;
  const falseMatches = pairs.filter((p) => p.actual.matchedMessageId !== null && p.actual.matchedMessageId !== p.expected.matchedMessageId).length;
  lines.push(
    '',
    `match accuracy (same sent email or both none): ${matchAgree}/${pairs.length} (${pct(matchAgree, pairs.length).trim()})`,
    `  matched when a match was expected: ${matchedRight}/${shouldMatch.length}; wrong or spurious matches: ${falseMatches}`,
  );
  const withRelation = pairs.filter((p) => p.expected.relation !== null);
  const relationRight = withRelation.filter((p) => p.actual.relation === p.expected.relation).length;
  lines.push(`relation accuracy: ${relationRight}/${withRelation.length} (${pct(relationRight, withRelation.length).trim()})`);
  const autos = pairs.filter((p) => p.expected.kind === 'auto_reply');
  const dateRight = autos.filter((p) => p.actual.returnDate === p.expected.returnDate).length;
  lines.push(`return date accuracy (auto-replies): ${dateRight}/${autos.length} (${pct(dateRight, autos.length).trim()})`);
  const wrong = pairs.filter((p) => JSON.stringify(p.expected) !== JSON.stringify(p.actual));
  if (wrong.length > 0) {
    lines.push('', 'disagreements:');
    for (const w of wrong) lines.push(`  ${w.file}: expected ${JSON.stringify(w.expected)} got ${JSON.stringify(w.actual)}`);
  }
  lines.push('', ...(await bounceCorpusReport()));
  process.stdout.write(`${lines.join('\n')}\n`);
  process.stdout.write(`\n${(await oooReport('test/ooo-corpus (written with the classifier)', loadOooCorpus())).join('\n')}\n`);
  process.stdout.write(`\n${(await oooReport('test/ooo-corpus/holdout (written before the classifier saw it; tuned on since)', loadOooCorpus('holdout'))).join('\n')}\n`);
  process.stdout.write(`\n${(await oooReport('test/ooo-corpus/holdout2 (written before the classifier saw it)', loadOooCorpus('holdout2'))).join('\n')}\n`);
}

/** Per language: auto-replies recognised, return dates exact, human replies kept human, unsubscribe requests found and look-alikes left alone. */
async function oooReport(title: string, cases: OooCase[]): Promise<string[]> {
  type Row = Record<'autos' | 'detected' | 'dates' | 'humans' | 'humansRight' | 'asks' | 'found' | 'others' | 'falseAsks', number>;
  const rows = new Map<string, Row>();
  const misses: string[] = [];
  for (const c of cases) {
    const verdict = classifyOoo(await parseOooCase(c));
    const row = rows.get(c.label) ?? { autos: 0, detected: 0, dates: 0, humans: 0, humansRight: 0, asks: 0, found: 0, others: 0, falseAsks: 0 };
    rows.set(c.label, row);
    const wrong: string[] = [];
    if (c.kind === 'auto_reply') {
      row.autos += 1;
      if (verdict.kind === 'auto_reply') row.detected += 1;
      else wrong.push(`kind ${verdict.kind}`);
      if (verdict.kind === 'auto_reply' && verdict.returnDate === c.returnDate) row.dates += 1;
      else if (verdict.returnDate !== c.returnDate) wrong.push(`return date ${verdict.returnDate ?? 'none'}, expected ${c.returnDate ?? 'none'}`);
    } else {
      row.humans += 1;
      if (verdict.kind === 'reply') row.humansRight += 1;
      else wrong.push(`kind ${verdict.kind}`);
      const asked = verdict.unsubscribeRequest !== null;
      if (c.unsubscribe) {
        row.asks += 1;
        if (asked) row.found += 1;
        else wrong.push('unsubscribe request missed');
      } else {
        row.others += 1;
        if (asked) {
          row.falseAsks += 1;
          wrong.push('taken for an unsubscribe request');
        }
      }
    }
    if (wrong.length > 0) misses.push(`  ${c.file}: ${wrong.join('; ')}`);
  }
  const sum = (k: keyof Row): number => [...rows.values()].reduce((n, r) => n + r[k], 0);
  const out = [`Out-of-office and unsubscribe replies, ${title}: ${cases.length} messages`, '', 'language  auto-replies  detected  date exact   human  kept human  unsubscribe found  look-alikes taken'];
  for (const [label, r] of [...rows.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    out.push(`${label.padEnd(8)}  ${String(r.autos).padStart(12)}  ${pct(r.detected, r.autos)}  ${pct(r.dates, r.autos).padStart(10)}  ${String(r.humans).padStart(6)}  ${pct(r.humansRight, r.humans).padStart(10)}  ${`${r.found}/${r.asks}`.padStart(17)}  ${`${r.falseAsks}/${r.others}`.padStart(17)}`);
  }
  out.push(
    `${'all'.padEnd(8)}  ${String(sum('autos')).padStart(12)}  ${pct(sum('detected'), sum('autos'))}  ${pct(sum('dates'), sum('autos')).padStart(10)}  ${String(sum('humans')).padStart(6)}  ${pct(sum('humansRight'), sum('humans')).padStart(10)}  ${`${sum('found')}/${sum('asks')}`.padStart(17)}  ${`${sum('falseAsks')}/${sum('others')}`.padStart(17)}`,
  );
  if (misses.length > 0) out.push('', 'disagreements:', ...misses);
  return out;
}

async function bounceCorpusReport(): Promise<string[]> {
  const lines = ['Bounce corpus (test/bounce-corpus): agreement is over the bounces recognised'];
  const titles = { corpus: 'corpus', holdout: 'holdout (written before the classifier changed)', holdout2: 'holdout2 (written after it, not for tuning; see its README)' } as const;
  for (const folder of ['corpus', 'holdout', 'holdout2'] as const) {
    const outcomes: BounceOutcome[] = [];
    for (const c of loadBounceCases(folder)) outcomes.push(await classifyBounceCase(c));
    lines.push(...describeScore(titles[folder], scoreOf(outcomes)));
    for (const o of outcomes) {
      if (o.kind !== 'bounce' || o.severity !== o.expected.severity || o.reason !== o.expected.reason) {
        lines.push(`    ${o.file} (${o.expected.mta}): expected ${o.expected.severity} ${o.expected.reason}, got ${o.kind === 'bounce' ? `${o.severity} ${o.reason}` : o.kind}`);
      }
    }
  }
  return lines;
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
  process.exitCode = 1;
});
