import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { InboundMessage } from '@telltale/replies';
import { inboundMessage } from './inbound-message';

/**
 * What a sender who wants our classifiers to backtrack would repeat: line ends and whitespace, the
 * punctuation of addresses, msg-ids, comments and encoded-words, digits, and the words our patterns
 * start from (a pattern does its work where its first part matches and the rest does not).
 */
const PIECES = [
  '-', '--', ' ', '\t', '\n', '\r\n', '\r', '\u2028', '\u00a0', '<', '>', '(', ')', '[', ']', '=?', '?=', '?', '=', '@', '.', ':', ',', ';', '/', '_', "'", '"',
  'a', 'Z', '1', '12', '\ufffd', 'é', '月', '年', '日', 'exceeds ', 'size', 'limit', 'Message-ID: ', 'Message-ID: <a@', 'From: ', 'On ', ' wrote:', 'Return-Path:',
  'Received:', 'original message', 'delayed', 'warning: ', 'user unknown', 'does not have a ', '5.1.1 ', '550 ', '#5.', 'out of office', 'Automatic reply',
  '[External] ', 'Re: ', 'de ', 'jan ', 'décembre', 'through ', 'back on ', '3.', '12/', '2026-', 'AAAA', '+/',
  // Issue 15: out-of-office labels, sentences and dates in other languages, and "stop emailing me".
  'Automatische Antwort: ', 'Ich bin ', ' nicht im Büro', '14. ', 'декабря', 'по ', 'включительно', '12月14日', '12월 14일', "ta' ", 'kanun ', 'كانون الثاني', 'בדצמבר', '٢١', '١٢/',
  '2026. ', 'einschließlich ', 'unsubscribe', 'remove me from the ', "don't ", 'why ', 'please ', '配信停止', 'не пишите мне ', 'I am out of the office ',
];

const piece = fc.constantFrom(...PIECES);

/** A deterministic stream of bytes from a seed (xorshift32), so 100 KiB of noise costs one generated number. */
function bytesFrom(seed: number, length: number): Buffer {
  const bytes = Buffer.alloc(length);
  let x = seed | 1;
  for (let i = 0; i < length; i += 1) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    bytes[i] = x & 0xff;
  }
  return bytes;
}

export function fill(unit: string, length: number): string {
  return unit.repeat(Math.ceil(length / unit.length)).slice(0, length);
}

/**
 * One line (or body) of `length` characters, in one of the shapes that make patterns super-linear:
 * long runs of one or two pieces, one after another; nested brackets; bytes that are not UTF-8,
 * decoded the way the parser decodes a body (each bad sequence becomes U+FFFD).
 */
export function hostileText(length: number): fc.Arbitrary<string> {
  const runs = fc
    .array(fc.tuple(piece, piece, fc.boolean(), fc.integer({ min: 1, max: 8 })), { minLength: 1, maxLength: 4 })
    .map((parts) => {
      const total = parts.reduce((sum, [, , , weight]) => sum + weight, 0);
      const text = parts.map(([a, b, pair, weight]) => fill(pair ? a + b : a, Math.ceil((length * weight) / total))).join('');
      return text.slice(0, length);
    });
  const nested = fc.tuple(fc.constantFrom('(', '[', '<', '=?'), fc.constantFrom(')', ']', '>', '?='), piece).map(([open, close, inner]) => {
    const depth = Math.floor((length - inner.length) / (open.length + close.length));
    return (open.repeat(depth) + inner + close.repeat(depth)).slice(0, length);
  });
  const notUtf8 = fc.integer().map((seed) => bytesFrom(seed, length).toString('utf8').slice(0, length));
  return fc.oneof({ arbitrary: runs, weight: 6 }, { arbitrary: nested, weight: 1 }, { arbitrary: notUtf8, weight: 1 });
}

/** Lengths of a hostile line: 32 to 100 KiB. */
export const hostileLength = fc.integer({ min: 32 * 1024, max: 100 * 1024 });

/**
 * What a linear classifier may spend on one message of `length` characters: 50 ms per 64 KiB. At
 * rest this 2-core machine needs at most about 12 ms per 64 KiB of the worst text we found (a flood
 * of line ends); each of the quadratic patterns took 0.3 to 3 s on 32 to 64 KiB.
 */
export function budgetMs(length: number): number {
  return (50 * length) / (64 * 1024);
}

/**
 * Milliseconds of the fastest of up to five runs of `work`, stopping at the first within `budget`.
 * A GC pause or a busy neighbour only ever adds time (a run of the whole suite slows single runs
 * down up to fivefold here); a quadratic pattern is slow every time.
 */
export function fastestMs(work: () => unknown, budget: number): number {
  let fastest = Infinity;
  for (let attempt = 0; attempt < 5 && fastest > budget; attempt += 1) {
    const start = performance.now();
    work();
    fastest = Math.min(fastest, performance.now() - start);
  }
  return fastest;
}

/** Runs `work` on `text` (fastest of up to five runs) and fails when it takes longer than budgetMs allows. */
export function withinBudget<T>(what: string, text: string, work: () => T): T {
  let result: T | undefined;
  const budget = budgetMs(text.length);
  const ms = fastestMs(() => (result = work()), budget);
  assert.ok(ms <= budget, `${what} took ${ms.toFixed(1)} ms on ${text.length} characters (budget ${budget.toFixed(1)} ms), text starts ${JSON.stringify(text.slice(0, 60))}`);
  return result as T;
}

/** A bounce that gets past every early exit of the classifier, so its text meets every pattern there. */
export function bounceWith(text: string): InboundMessage {
  return inboundMessage({
    from: { address: 'mailer-daemon@mx.buyer.com', name: null },
    subject: 'Undeliverable: hi',
    autoReplyMarkers: { ...inboundMessage({}).autoReplyMarkers, returnPath: '<>' },
    textBody: text,
  });
}
