import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { readHeaderSection, startsWithHeaderField } from '../src/header-section';

describe('readHeaderSection', () => {
  it('unfolds continuation lines and lower-cases names (RFC 5322 §2.2.3)', () => {
    const raw = Buffer.from('Subject: a long\r\n subject\r\nX-Custom : spaced name\r\n\r\nbody: not a header\r\n');
    const section = readHeaderSection(raw);
    assert.deepEqual(section.fields, [
      { name: 'subject', value: 'a long subject' },
      { name: 'x-custom', value: 'spaced name' },
    ]);
    assert.equal(raw.subarray(section.bodyOffset).toString(), 'body: not a header\r\n');
  });

  it('accepts bare LF line ends and a message without body', () => {
    assert.deepEqual(readHeaderSection(Buffer.from('A: 1\nB: 2\n')).fields, [
      { name: 'a', value: '1' },
      { name: 'b', value: '2' },
    ]);
  });

  it('reads invalid UTF-8 header bytes as Latin-1', () => {
    const raw = Buffer.concat([Buffer.from('Subject: '), Buffer.from([0xe9, 0x74, 0xe9]), Buffer.from('\n\n')]);
    assert.equal(readHeaderSection(raw).fields[0]?.value, 'été');
  });

  it('skips lines that are not fields', () => {
    assert.deepEqual(readHeaderSection(Buffer.from('A: 1\ngarbage line\nB: 2\n\n')).fields, [
      { name: 'a', value: '1' },
      { name: 'b', value: '2' },
    ]);
  });
});

describe('startsWithHeaderField', () => {
  const cases: { input: string; expected: boolean }[] = [
    { input: 'From: a@b.c\r\n', expected: true },
    { input: 'Received: from x\n', expected: true },
    { input: 'X-Obsolete-Spacing : value\n', expected: true },
    { input: 'hello world\n', expected: false },
    { input: '\r\nFrom: a@b.c', expected: false },
    { input: 'PK\u0003\u0004binary', expected: false },
  ];
  for (const testCase of cases) {
    it(`${JSON.stringify(testCase.input)} → ${testCase.expected}`, () => {
      assert.equal(startsWithHeaderField(Buffer.from(testCase.input, 'latin1')), testCase.expected);
    });
  }
});
