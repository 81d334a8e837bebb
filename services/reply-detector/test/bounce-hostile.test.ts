import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { fuzzOptions } from '@telltale/testing';
import { assessBounce, failureCause } from '@telltale/replies';
import { bounceWith, fill, hostileLength, withinBudget } from './support/hostile-text';
import { inboundMessage } from './support/inbound-message';

/**
 * Issue 15 added many bounce patterns (causes, daemon senders, subjects, failure and delay wording).
 * Each starts from words like these; a text made of long runs of them is where a pattern with two
 * quantifiers over the same characters would go quadratic. Fixed seed and run count.
 */
const WORDS = [
  'quota ', 'domain ', 'mailbox ', 'user ', 'account ', 'too many ', 'delayed ', 'retry ', 'message ', 'size ', 'limit ', 'exceeded ', 'exceeds ',
  'client host ', 'ip ', 'host ', 'sending ', 'relay ', 'listed ', 'not ', 'no such ', 'unknown ', 'is ', 'the ', 'over ', 'mail ', 'tried to deliver ',
  'for ', 'expired ', 'disabled', 'spam', 'virus', 'policy', 'recipient address rejected: ', 'has moved', 'null mx', '[', ']', '198.51.100.20', '5.1.1',
  '4.4.7', '550 ', '452-', '#5.', ' ', '\n', '-', '.', ':', 'a', 'é', '宛先', 'ー', 'user(s) account ', 'warning: ', 'will retry ',
];
const word = fc.constantFrom(...WORDS);

/** Up to four runs of one word or of a pair of words, `length` characters in all. */
const hostileBounceText = hostileLength.chain((length) =>
  fc.array(fc.tuple(word, word, fc.boolean(), fc.integer({ min: 1, max: 8 })), { minLength: 1, maxLength: 4 }).map((parts) => {
    const total = parts.reduce((sum, [, , , weight]) => sum + weight, 0);
    return parts
      .map(([a, b, pair, weight]) => fill(pair ? a + b : a, Math.ceil((length * weight) / total)))
      .join('')
      .slice(0, length);
  }),
);

test('hostile bounce wording: the cause of a failure is found in linear time', () => {
  fc.assert(
    fc.property(hostileBounceText, fc.constantFrom(null, '5.0.0', '4.4.7', '5.7.1'), (text, status) => {
      const cause = withinBudget(`failureCause(${status})`, text, () => failureCause(status, [text, text]));
      assert.ok(cause.why.length > 0 && (cause.severity === 'hard' || cause.severity === 'soft'));
    }),
    fuzzOptions(60),
  );
});

test('hostile bounce wording: a whole bounce, its subject and its sender are read in linear time', () => {
  fc.assert(
    fc.property(hostileBounceText, (text) => {
      withinBudget('assessBounce (body)', text, () => assessBounce(bounceWith(text)));
      const subject = text.slice(0, 4000);
      withinBudget('assessBounce (subject)', subject, () =>
        assessBounce(inboundMessage({ from: { address: 'x@buyer.example', name: subject }, subject, autoReplyMarkers: { ...inboundMessage({}).autoReplyMarkers, returnPath: '<>' }, textBody: text })),
      );
      const from = `${text.slice(0, 300).replace(/[\s@]/g, 'a')}-owner@lists.example`;
      withinBudget('assessBounce (sender)', text, () => assessBounce(inboundMessage({ from: { address: from, name: null }, textBody: text })));
    }),
    fuzzOptions(40),
  );
});
