import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { assessBounce, bounceSeverity, enclosedMessageIds } from '@telltale/replies';
import { bounceWith } from './support/hostile-text';

/**
 * The patterns rewritten for issue 10 must find what the quadratic ones found. The old patterns are
 * the reference here, on short text made of the pieces each one cares about (short, so they are fast).
 */
const options = { seed: 20_261_207, numRuns: 3000 };
const LINE_ENDS = ['\n', '\r', '\r\n', '\u2028', '\u2029'];
const textOf = (pieces: string[]): fc.Arbitrary<string> => fc.array(fc.constantFrom(...pieces), { maxLength: 40 }).map((p) => p.join(''));

test('the Message-ID lines of a bounce body are the ones the old pattern found', () => {
  const OLD = /^\s*Message-ID:\s*(<[^<>\s]+@[^<>\s]+>)/gim;
  const space = textOf([' ', '\t', '\u00a0', '\ufeff', '\f', '\v', ...LINE_ENDS]);
  // Lines shaped like the pattern (some space, a label, some space, a bracket), so that most come close.
  const line = fc.tuple(space, fc.constantFrom('Message-ID:', 'message-id:', 'Message-ID :', 'x'), space, textOf(['<', '>', '@', '@', 'a', 'b', ' ', '<in@buyer.com>']));
  const body = fc.array(line.map((parts) => parts.join('')), { maxLength: 6 }).chain((lines) =>
    fc.array(fc.constantFrom(...LINE_ENDS), { minLength: lines.length, maxLength: lines.length }).map((ends) => lines.map((l, i) => l + ends[i]).join('')),
  );
  fc.assert(
    fc.property(body, (text) => {
      const expected = [...new Set([...text.matchAll(OLD)].map((m) => m[1]!))].filter((id) => id !== '<in@buyer.com>');
      assert.deepEqual(enclosedMessageIds(bounceWith(text)), expected);
    }),
    options,
  );
});

test('the explanation of a bounce ends where the old pattern cut it', () => {
  const OLD = /^(-{2,}.*(original message|copy of the message|returned message|message header|below this line).*|Return-Path:.*|Received:.*)$/im;
  const pieces = ['-', '--', '---', 'original message', 'Below this line', 'x', ' ', ...LINE_ENDS, 'Return-Path:', 'Received:', 'user unknown'];
  fc.assert(
    fc.property(textOf(pieces), (text) => {
      const cut = text.search(OLD);
      const explanation = (cut === -1 ? text : text.slice(0, cut)).trim();
      const assessment = assessBounce(bounceWith(text));
      assert.equal(assessment.outcome === 'bounce' ? assessment.bounce.diagnostic : null, explanation === '' ? null : explanation);
    }),
    options,
  );
});

test('the recipient named in a bounce is the address the old pattern found', () => {
  const OLD = /<?([A-Za-z0-9._%+'-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,})>?/;
  const pieces = ['a', 'B', '1', '.', '-', '_', "'", '%', '+', '@', '<', '>', ' ', ',', 'com', 'x.y', '\n', 'é'];
  fc.assert(
    fc.property(textOf(pieces), (text) => {
      const assessment = assessBounce(bounceWith(text));
      assert.equal(assessment.outcome === 'bounce' ? assessment.bounce.recipient : undefined, OLD.exec(text)?.[1] ?? null);
    }),
    options,
  );
});

test('"exceeds … size/limit" is the wording the old pattern quoted', () => {
  const OLD = /exceeds .*(size|limit)/i;
  // No single space after "size": "size limit" is other wording, the next test's subject.
  const pieces = ['exceeds ', 'EXCEEDS ', 'exceeds', 'size', 'Limit', 'x', '  ', ...LINE_ENDS];
  fc.assert(
    fc.property(textOf(pieces), (text) => {
      const wording = OLD.exec(text)?.[0];
      const expected = wording === undefined ? 'permanent failure without a more specific reason' : `status 5.0.0, diagnostic says "${wording}"`;
      assert.equal(bounceSeverity('5.0.0', text).why, expected);
    }),
    options,
  );
});

test('"exceeds … size/limit" is quoted only where it comes before the other transient wording', () => {
  assert.equal(bounceSeverity(null, 'message exceeds the size limit').why, 'diagnostic says "exceeds the size limit"');
  assert.equal(bounceSeverity(null, 'spam; message exceeds the size limit').why, 'diagnostic says "spam"');
  assert.equal(bounceSeverity(null, 'exceeds policy\nthe size').why, 'diagnostic says "policy"');
  assert.equal(bounceSeverity(null, 'it exceeds our limit, exceeds the size too\nsize').why, 'diagnostic says "exceeds our limit, exceeds the size"');
});
