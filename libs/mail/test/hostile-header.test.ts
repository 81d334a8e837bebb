import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { fuzzOptions } from '@telltale/testing';

import { classifySmtpReply, mapImapError, normalizeAddress, parseDeliveryStatus, parseHeaderDate, parseMessageIdList } from '../src';
import { decodeEncodedWords } from '../src/encoded-words';
import { replaceComments } from '../src/header-comments';
import { parseHeaderText, readHeaderSection } from '../src/header-section';

/**
 * Issue 10: header values and report parts come from anyone on the internet. Every parser here must
 * take time linear in its input: at most 50 ms per 64 KiB (at most about 15 ms at rest on this 2-core
 * machine; the quadratic comment stripping took 0.4 s on 32 KiB). Fixed seed: same inputs every run.
 */
const options = fuzzOptions(80);

/** Fastest of up to five runs (noise only adds time), failing when even that is over budget. */
function linear<T>(what: string, input: string | Buffer, parse: () => T): T {
  const budget = (50 * input.length) / 65_536;
  for (let attempt = 1, fastest = Infinity; ; attempt += 1) {
    const start = performance.now();
    const result = parse();
    fastest = Math.min(fastest, performance.now() - start);
    if (fastest <= budget) return result;
    assert.ok(attempt < 5, `${what} took ${fastest.toFixed(1)} ms on ${input.length} characters (budget ${budget.toFixed(1)} ms): ${JSON.stringify(input.slice(0, 60).toString())}`);
  }
}

/** What header syntax nests, brackets, quotes, folds and encodes, and what dates and codes are made of. */
const UNITS = ['(', ')', '((', '))', '<', '>', '<a@', '@', '"', '\\', ',', ';', ':', ' ', '\t', '\r\n ', '\n', '\r\n\r\n', '=?', '?=', '=?utf-8?q?', '=?x*', '?b?', '_', '=4', 'a', 'Mon, ', '1 ', 'Jan ', '2026 ', '10:', '+0000 ', 'GMT', '5.1.1 ', 'Action: failed\n', 'Status: 5.', 'try again in ', '30 ', 'é', '\ufffd'];

/** 32 to 100 KiB of up to three long runs of one or two units; nested brackets; bytes that are not UTF-8. */
const hostileValue = fc.integer({ min: 32_768, max: 102_400 }).chain((length) =>
  fc.oneof(
    fc
      .array(fc.tuple(fc.constantFrom(...UNITS), fc.constantFrom(...UNITS)), { minLength: 1, maxLength: 3 })
      .map((pairs) => pairs.map(([a, b]) => (a + b).repeat(Math.ceil(length / pairs.length / (a + b).length))).join('').slice(0, length)),
    fc.constantFrom(['(', ')'], ['<', '>'], ['=?', '?='], ['((', ')']).map(([open, close]) => `${open!.repeat(length / 4)}x${close!.repeat(length / 4)}`),
    fc.integer().map((seed) => Buffer.from(Uint32Array.from({ length: length / 4 }, (_, i) => Math.imul(seed ^ i, 2_654_435_761) >>> 0).buffer).toString('utf8')),
  ),
);

describe('header parsers on hostile input (issue 10)', () => {
  it('reads msg-id lists, dates, encoded-words and addresses in linear time', () => {
    fc.assert(
      fc.property(hostileValue, (value) => {
        const ids = linear('parseMessageIdList', value, () => parseMessageIdList(value));
        assert.ok(ids.every((id) => /^<[^\s]+>$/.test(id)) && new Set(ids).size === ids.length, 'distinct, bracketed, no whitespace');
        const date = linear('parseHeaderDate', value, () => parseHeaderDate(value));
        assert.ok(date === null || !Number.isNaN(Date.parse(date)));
        const decoded = linear('decodeEncodedWords', value, () => decodeEncodedWords(value));
        if (!value.includes('=?')) assert.equal(decoded, value);
        const address = linear('normalizeAddress', value, () => normalizeAddress(value, value));
        assert.ok(address === null || address.address === value.trim().toLowerCase());
      }),
      options,
    );
  });

  it('reads header sections and delivery-status parts in linear time', () => {
    fc.assert(
      fc.property(hostileValue, (value) => {
        const fields = linear('parseHeaderText', value, () => parseHeaderText(value));
        assert.ok(fields.every((field) => /^[!-9;-~]+$/.test(field.name) && field.name === field.name.toLowerCase()));
        const raw = Buffer.from(value, 'latin1');
        const section = linear('readHeaderSection', raw, () => readHeaderSection(raw));
        assert.ok(section.bodyOffset <= raw.length);
        const recipients = linear('parseDeliveryStatus', value, () => parseDeliveryStatus(value));
        assert.ok(recipients.every((r) => r.action === null || !/\s/.test(r.action)));
      }),
      options,
    );
  });

  it('classifies SMTP and IMAP replies of hostile text in linear time', () => {
    fc.assert(
      fc.property(hostileValue, (text) => {
        const smtp = linear('classifySmtpReply', text, () => classifySmtpReply(550, text));
        assert.ok(['RATE_LIMITED', 'INSUFFICIENT_PERMISSIONS', 'PERMANENT'].includes(smtp.code));
        const imap = linear('mapImapError', text, () => mapImapError({ code: 'ETHROTTLE', responseText: text }));
        assert.equal(imap.code, 'RATE_LIMITED');
      }),
      options,
    );
  });

  it('strips 32 KiB of nested comments from a Date and a References value within budget', () => {
    const nested = `${'('.repeat(16_384)}${')'.repeat(16_384)}`;
    assert.equal(linear('parseHeaderDate', nested, () => parseHeaderDate(`Mon, 1 Jan 2026 10:00:00 +0000 ${nested}`)), '2026-01-01T10:00:00.000Z');
    assert.deepEqual(
      linear('parseMessageIdList', nested, () => parseMessageIdList(`<a@x> ${nested} <b@y>`)),
      ['<a@x>', '<b@y>'],
    );
  });

  it('reads a References value of 100 KiB of distinct ids within budget', () => {
    const written: string[] = [];
    for (let length = 0; length < 102_400; length += written.at(-1)!.length + 1) written.push(`<${written.length}@x>`);
    const value = written.join(' ');
    assert.deepEqual(
      linear('parseMessageIdList', value, () => parseMessageIdList(value)),
      written,
    );
  });
});

describe('replaceComments', () => {
  /** The definition it replaces: remove innermost comments until none is left (quadratic in the nesting). */
  function innermostFirst(value: string): string {
    let current = value;
    for (let previous = ''; previous !== current; ) {
      previous = current;
      current = current.replace(/\([^()]*\)/g, ' ');
    }
    return current;
  }

  it('gives what removing innermost comments until none is left gives', () => {
    const text = fc.array(fc.constantFrom('(', ')', 'a', ' ', '\\', '"'), { maxLength: 30 }).map((parts) => parts.join(''));
    fc.assert(
      fc.property(text, (value) => assert.equal(replaceComments(value), innermostFirst(value))),
      { seed: 20_261_207, numRuns: 5000 },
    );
  });

  it('replaces each outermost comment with one space and keeps unpaired parentheses', () => {
    assert.equal(replaceComments('a (b (c) d) e (f)(g)'), 'a   e   ');
    assert.equal(replaceComments(') (a (b) c'), ') (a   c');
    assert.equal(replaceComments('no comment'), 'no comment');
  });
});
