import { test } from 'node:test';
import assert from 'node:assert/strict';
import { classifyBounceCase, loadBounceCases, scoreOf, type BounceOutcome } from './support/bounce-corpus';

/**
 * Issue 15: every bounce of test/bounce-corpus/corpus (written from the MTAs' documented formats) is
 * recognised, with the severity and reason of its manifest line. The holdouts (one written before the
 * classifier changed, one after) are not tuned against: together they must meet the issue's targets as a
 * whole, not file by file.
 */
const corpus = loadBounceCases('corpus');

test('the bounce corpus has at least 150 bounces from at least 20 formats, each reason among them', () => {
  assert.ok(corpus.length >= 150, `${corpus.length} bounces`);
  assert.ok(new Set(corpus.map((c) => c.expected.mta.split('/')[0])).size >= 20, 'formats');
  assert.ok(corpus.some((c) => c.expected.severity === 'hard') && corpus.some((c) => c.expected.severity === 'soft'));
});

for (const c of corpus) {
  test(`bounce corpus: ${c.file} is a ${c.expected.severity} bounce (${c.expected.reason})`, async () => {
    const outcome = await classifyBounceCase(c);
    assert.deepEqual(
      { kind: outcome.kind, severity: outcome.severity, reason: outcome.reason },
      { kind: 'bounce', severity: c.expected.severity, reason: c.expected.reason },
      outcome.reasons.join(' | '),
    );
  });
}

test('bounce holdouts: at least 98 % recognised and 90 % hard/soft agreement (the targets of issue 15)', async () => {
  const outcomes: BounceOutcome[] = [];
  for (const c of [...loadBounceCases('holdout'), ...loadBounceCases('holdout2')]) outcomes.push(await classifyBounceCase(c));
  const score = scoreOf(outcomes);
  assert.ok(score.total >= 70, `${score.total} holdout bounces`);
  assert.ok(score.recognised >= 0.98 * score.total, `recognised ${score.recognised}/${score.total}`);
  assert.ok(score.severityAgreed >= 0.9 * score.recognised, `hard/soft agreed ${score.severityAgreed}/${score.recognised}`);
});
