import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { BOUNCE_REASONS } from '@telltale/contracts';
import { assessBounce, bounceSeverity, enclosedMessageIds, HARD_BOUNCE_REASONS } from '@telltale/replies';
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

test('a bounce is hard only for a reason that says the address is gone, and never when every code is temporary', () => {
  // Pieces of real diagnostics: codes, hard and soft wording, and the words the patterns start from.
  const wording = ['user unknown', 'mailbox full', 'spam', 'relay access denied', 'host not found', 'has moved', 'disabled', 'quota', 'exceeds ', 'size limit', ' ', '\n', 'x'];
  fc.assert(
    fc.property(textOf(['550 ', '452 ', '5.1.1 ', '4.2.2 ', '5.7.1 ', ...wording]), fc.constantFrom(null, '5.0.0', '5.1.1', '4.4.7', '5.7.1'), (text, status) => {
      const cause = bounceSeverity(status, text);
      assert.ok(BOUNCE_REASONS.includes(cause.reason));
      if (cause.severity === 'hard') assert.ok(HARD_BOUNCE_REASONS.has(cause.reason), cause.why);
    }),
    options,
  );
  fc.assert(
    fc.property(textOf(['452 ', '4.2.2 ', '450 4.1.1 ', ...wording]), (text) => {
      assert.equal(bounceSeverity('4.4.7', text).severity, 'soft');
    }),
    options,
  );
});
