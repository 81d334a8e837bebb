import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildClickUrl, buildOpenUrl } from '../src/tracking-url';

describe('buildOpenUrl / buildClickUrl', () => {
  const cases: { base: string; open: string; click: string }[] = [
    { base: 'https://t.example.com', open: 'https://t.example.com/o/AbC-_1', click: 'https://t.example.com/c/AbC-_1' },
    { base: 'https://t.example.com/', open: 'https://t.example.com/o/AbC-_1', click: 'https://t.example.com/c/AbC-_1' },
    { base: 'https://example.com/track//', open: 'https://example.com/track/o/AbC-_1', click: 'https://example.com/track/c/AbC-_1' },
    { base: 'http://localhost:8080', open: 'http://localhost:8080/o/AbC-_1', click: 'http://localhost:8080/c/AbC-_1' },
  ];
  for (const { base, open, click } of cases) {
    it(`joins ${base}`, () => {
      assert.equal(buildOpenUrl(base, 'AbC-_1'), open);
      assert.equal(buildClickUrl(base, 'AbC-_1'), click);
    });
  }

  const badBases = ['t.example.com', 'ftp://t.example.com', 'https://t.example.com/?x=1', 'https://t.example.com/#x', 'https://u:p@t.example.com'];
  for (const base of badBases) {
    it(`refuses base ${base}`, () => {
      assert.throws(() => buildOpenUrl(base, 'abc'), TypeError);
    });
  }

  for (const token of ['', 'a/b', 'a.b', 'a=', 'a b']) {
    it(`refuses token ${JSON.stringify(token)}`, () => {
      assert.throws(() => buildClickUrl('https://t.example.com', token), TypeError);
    });
  }
});
