import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileHitSignatures, loadHitSignatures, signatureFreshness, type CloudRangesFile, type HitSignatureFile } from '../src';

const file: HitSignatureFile = {
  version: 'v7',
  updated: '2026-11-01',
  userAgents: [],
  ipRanges: [],
  privacyPrefetch: { appleGenericUserAgent: '^Mozilla/5\\.0$' },
  timing: { linkBurstWindowSeconds: 2, linkBurstMinOtherLinks: 1, clickBeforeOpenScannerSeconds: 120 },
};
const cloud = (sources: CloudRangesFile['sources']): CloudRangesFile => ({ format: 1, generatedAt: '2026-11-20T00:00:00.000Z', sources, ranges: [] });
const now = new Date('2026-12-08T12:00:00Z');

test('signature freshness: the age of each list, and which are stale', () => {
  const cases: { name: string; signatures: ReturnType<typeof compileHitSignatures>; maxAgeDays: number; ages: [string, number | null][]; stale: RegExp[] }[] = [
    {
      name: 'all fresh',
      signatures: compileHitSignatures({ ...file, updated: '2026-12-01' }, cloud([{ provider: 'AWS', source: 'ip-ranges.json', publishedAt: '2026-12-07T08:00:00.000Z', prefixes: 1 }])),
      maxAgeDays: 30,
      ages: [['hit-signatures.json', 7], ['cloud ranges: AWS', 1]],
      stale: [],
    },
    {
      name: 'one provider old, one without a date (the file generation date stands in)',
      signatures: compileHitSignatures(file, cloud([{ provider: 'Azure', source: 'ServiceTags_Public_20260901.json', publishedAt: '2026-09-01T00:00:00.000Z', prefixes: 1 }, { provider: 'Oracle Cloud', source: 'x', publishedAt: null, prefixes: 1 }])),
      maxAgeDays: 30,
      ages: [['hit-signatures.json', 37], ['cloud ranges: Azure', 98], ['cloud ranges: Oracle Cloud', 18]],
      stale: [/^hit-signatures\.json is 37 days old$/, /^cloud ranges: Azure is 98 days old$/],
    },
    {
      name: 'no cloud ranges; a version that is no date and no updated date',
      signatures: compileHitSignatures({ ...file, updated: undefined }),
      maxAgeDays: 400,
      ages: [['hit-signatures.json', null]],
      stale: [/^hit-signatures\.json is of unknown age$/, /^no cloud ranges/],
    },
  ];
  for (const c of cases) {
    const result = signatureFreshness(c.signatures, now, c.maxAgeDays);
    assert.deepEqual(result.ages.map((a) => [a.list, a.ageDays]), c.ages, c.name);
    assert.equal(result.stale.length, c.stale.length, `${c.name}: ${JSON.stringify(result.stale)}`);
    c.stale.forEach((pattern, i) => assert.match(result.stale[i]!, pattern, c.name));
  }
});

test('the shipped files record their dates: the hand-maintained list is dated, the cloud ranges say whether a refresh filled them', () => {
  const shipped = loadHitSignatures();
  assert.match(shipped.updated ?? '', /^\d{4}-\d{2}-\d{2}$/);
  const { ages } = signatureFreshness(shipped, now, 30);
  assert.equal(ages[0]!.list, 'hit-signatures.json');
  assert.equal(ages.length, 1 + shipped.cloud.file.sources.length);
});
