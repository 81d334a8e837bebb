import { test } from 'node:test';
import assert from 'node:assert/strict';
import { linkBurstCorrections, type StoredClick } from '../src';

const settings = { linkBurstWindowSeconds: 2, linkBurstMinOtherLinks: 1 };
const click = (id: string, linkIndex: number, at: number, label = 'human'): StoredClick => ({ engagementId: id, linkIndex, at, label, reasons: ['no machine signature matched', '3600 s after send'] });

test('link-burst corrections: which stored human clicks a burst seen after the fact relabels', () => {
  const cases: { name: string; clicks: StoredClick[]; corrected: string[] }[] = [
    { name: 'the first click of a burst (the later ones were labelled when served)', clicks: [click('a', 0, 0), click('b', 1, 400, 'security_scanner'), click('c', 2, 800, 'security_scanner')], corrected: ['a'] },
    { name: 'a burst spread over two replicas: every click was human', clicks: [click('a', 0, 0), click('b', 1, 300), click('c', 2, 900)], corrected: ['a', 'b', 'c'] },
    { name: 'the edge of the window counts', clicks: [click('a', 0, 0), click('b', 1, 2_000)], corrected: ['a', 'b'] },
    { name: 'just past the window: a person reading, then clicking on', clicks: [click('a', 0, 0), click('b', 1, 2_001)], corrected: [] },
    { name: 'the same link twice is not a burst', clicks: [click('a', 0, 0), click('b', 0, 500)], corrected: [] },
    { name: 'a lone click', clicks: [click('a', 3, 0)], corrected: [] },
    { name: 'out of order (replica clocks, partition order): the window is either side', clicks: [click('b', 1, 1_000), click('a', 0, 0)], corrected: ['b', 'a'] },
    { name: 'own and machine labels are never relabelled', clicks: [click('a', 0, 0, 'self'), click('b', 1, 100, 'internal'), click('c', 2, 200, 'link_preview')], corrected: [] },
  ];
  for (const c of cases) {
    assert.deepEqual(linkBurstCorrections(c.clicks, settings).map((x) => x.engagementId), c.corrected, c.name);
  }
});

test('a correction says what revealed it and keeps the time since the send', () => {
  const [first] = linkBurstCorrections([click('a', 0, 0), click('b', 1, 400), click('c', 2, 600)], settings);
  assert.deepEqual(first?.classification, {
    label: 'security_scanner',
    confidence: 0.85,
    reasons: ['link burst: 3 links of the email within 2 s (found after the click)', '3600 s after send'],
  });
  // Two other links needed: a pair is not a burst then.
  assert.deepEqual(linkBurstCorrections([click('a', 0, 0), click('b', 1, 400)], { ...settings, linkBurstMinOtherLinks: 2 }), []);
});
