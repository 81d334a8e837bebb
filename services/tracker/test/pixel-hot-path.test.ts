import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pixelToken, PIXEL_HEADER_LIST, PIXEL_HEADERS } from '../src/hits/pixel-response';
import { decodeHitLines, EncodedHits } from '../src/recording/encoded-hits';
import { HitSpill, type HitRecord } from '../src';
import { hitRecord } from './support/hit-records';

/** The pixel path as it was written before pixelToken (a regular expression): the definition. */
const PIXEL_PATH = /^\/o\/([^/?#]*)(?:\?.*)?$/;

test('pixelToken takes exactly the paths the pixel route matches, and the same token', () => {
  const cases = ['/o/abc', '/o/', '/o', '/o/abc?x=1', '/o/abc?', '/o/a/b', '/o/a#b', '/o/a?b/c#d', '/c/abc', '//o/abc', '/O/abc', '/o/abc/', '/o/%2F', '/oo/abc', '', '/o/?', '/o/a?b?c', '/health/ready'];
  // And every short path over the characters that matter.
  const alphabet = ['/', 'o', 'a', '?', '#', 'c'];
  for (let length = 1; length <= 6; length++) {
    const build = (prefix: string): void => {
      if (prefix.length === length) {
        cases.push(prefix);
        return;
      }
      for (const c of alphabet) build(prefix + c);
    };
    build('');
  }
  for (const url of cases) {
    assert.equal(pixelToken(url), PIXEL_PATH.exec(url)?.[1] ?? null, url);
  }
  assert.equal(pixelToken(undefined), null);
});

test('the pixel headers as a flat list are the same headers', () => {
  const pairs: [string, string][] = [];
  for (let i = 0; i < PIXEL_HEADER_LIST.length; i += 2) pairs.push([PIXEL_HEADER_LIST[i]!, PIXEL_HEADER_LIST[i + 1]!]);
  assert.deepEqual(Object.fromEntries(pairs), PIXEL_HEADERS);
});

const hit = (n: number, userAgent: string | null, traceHeaders: Record<string, string> = {}): HitRecord =>
  hitRecord(n, { userAgent, traceHeaders, reasons: ['no machine signature matched', '12 s after send'] });

test('encoded hits come back as they went in, through the buffer and through a spill segment, in order', () => {
  // User agents with what JSON must escape (newlines, quotes, backslashes), multi-byte and astral
  // characters and a lone surrogate, enough hits to make the buffer grow several times.
  const agents = [null, 'Mozilla/5.0', 'a\nb\r\n"c"\\d', 'Ünïcödé ✓ 🙂', 'lone \ud800 surrogate', 'x'.repeat(512)];
  const hits = Array.from({ length: 1_000 }, (_, i) => hit(i, agents[i % agents.length]!));
  const encoded = new EncodedHits();
  for (const h of hits) encoded.append(h);
  assert.equal(encoded.count, hits.length);
  assert.equal(encoded.traced, false);
  const expected = JSON.parse(JSON.stringify(hits)) as HitRecord[];
  assert.deepEqual(encoded.records(), expected);
  assert.deepEqual(decodeHitLines(encoded.lines()), expected);
  // The spill's format: one JSON.stringify(hit) per line, read back by HitSpill.read.
  const dir = mkdtempSync(join(tmpdir(), 'encoded-hits-'));
  try {
    const spill = new HitSpill(dir);
    spill.writeLines(7, encoded.lines());
    assert.equal(readFileSync(join(dir, 'seg-0000000000000007.jsonl'), 'utf8'), hits.map((h) => JSON.stringify(h)).join('\n') + '\n');
    assert.deepEqual(spill.read(7), expected);
    spill.write(8, hits.slice(0, 3));
    assert.deepEqual(spill.read(8), expected.slice(0, 3));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a batch with a traced hit says so (its events get producer spans)', () => {
  const encoded = new EncodedHits();
  encoded.append(hit(1, null));
  assert.equal(encoded.traced, false);
  encoded.append(hit(2, null, { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' }));
  assert.equal(encoded.traced, true);
  assert.equal(new EncodedHits().records().length, 0);
});
