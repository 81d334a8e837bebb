import { test } from 'node:test';
import assert from 'node:assert/strict';
import { classifyParsed, loadCorpus, parseCase, verdictOf } from './support/corpus';

const { cases, sent } = loadCorpus();

test('the corpus has at least 150 messages in every category', () => {
  assert.ok(cases.length >= 150, `${cases.length} messages`);
  for (const kind of ['reply', 'auto_reply', 'bounce', 'other']) {
    assert.ok(cases.filter((c) => 'kind' in c.expected && c.expected.kind === kind).length >= 10, `at least 10 of kind ${kind}`);
  }
});

for (const c of cases) {
  test(`golden: ${c.file}`, async () => {
    if ('error' in c.expected) {
      await assert.rejects(parseCase(c), /header/, 'not a parseable message');
      return;
    }
    const line = classifyParsed(c.file, await parseCase(c), sent);
    assert.deepEqual(verdictOf(line), c.expected, `reasons: ${line.reasons.join(' | ')}`);
    assert.ok(line.reasons.length >= 2, 'every verdict carries its evidence');
  });
}
