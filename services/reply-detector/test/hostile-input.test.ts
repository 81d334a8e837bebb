import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { fuzzOptions } from '@telltale/testing';
import { autoReplyLanguage, autoReplyReasons, autoReplySubjectLanguage, assessBounce, unsubscribeRequest, bounceSeverity, type DetectionContext, enclosedMessageIds, referencedMessageIds, detectReply, type InboundMessage, extractReturnDate, threadIndexConversationKey } from '@telltale/replies';
import { snippetOf } from '../src/detection/handle-inbound-message.use-case';
import { bounceWith, hostileLength, hostileText, withinBudget } from './support/hostile-text';
import { inboundMessage } from './support/inbound-message';

/**
 * Issue 10: any sender can make us classify any text, and every inbound message runs through these
 * functions. Each must take time linear in the text (within budgetMs) and still answer sensibly.
 * Fixed seed and run count: the same inputs every run, 2 to 5 s in all.
 */
const RUNS = 100;
const options = fuzzOptions(RUNS);
const hostile = hostileLength.chain((length) => hostileText(length));

const RECEIVED = '2026-11-22T00:00:00.000Z';
const CTX: DetectionContext = {
  mailboxAddress: 'rep@seller.com',
  orgDomains: new Set(['seller.com']),
  teammates: new Set(),
  freeMailDomains: new Set(['gmail.com']),
  sentByMessageIds: new Map(),
  sentInProviderThread: [],
  sentInThreadIndexConversation: [],
  recentSentToAddress: [],
  recentSentToDomain: [],
};
const markers = inboundMessage({}).autoReplyMarkers;

/** An RFC 3464 report whose Diagnostic-Code (not capped like the text body) is the text. */
function reportWith(text: string): InboundMessage {
  return inboundMessage({
    from: { address: 'postmaster@mx.buyer.com', name: null },
    subject: 'Delivery Status Notification (Failure)',
    reportType: 'delivery-status',
    deliveryStatus: [{ action: 'failed', status: '5.0.0', finalRecipient: 'pat@buyer.com', diagnosticCode: text }],
    textBody: text,
  });
}

/** An out-of-office from the prospect: the path that reads a return date out of the text. */
function autoReplyWith(text: string): InboundMessage {
  return inboundMessage({ subject: `Automatic reply: ${text.slice(0, 2000)}`, autoReplyMarkers: { ...markers, autoSubmitted: 'auto-replied' }, textBody: text });
}

const KINDS = ['reply', 'auto_reply', 'bounce', 'other'];
const MSG_ID = /^<[^<>\s]+@[^<>\s]+>$/;

function assertBounceAssessment(assessment: ReturnType<typeof assessBounce>): void {
  assert.ok(['bounce', 'not_failed', 'none'].includes(assessment.outcome));
  if (assessment.outcome === 'none') return;
  assert.ok(assessment.reasons.length > 0 && assessment.reasons.every((r) => typeof r === 'string'));
  if (assessment.outcome === 'bounce') assert.ok(['hard', 'soft'].includes(assessment.bounce.severity));
}

test('hostile text: the bounce classifier reads a bounce body in linear time', () => {
  fc.assert(
    fc.property(hostile, (text) => {
      const assessment = withinBudget('assessBounce (body)', text, () => assessBounce(bounceWith(text)));
      assertBounceAssessment(assessment);
      if (assessment.outcome === 'bounce') assert.ok((assessment.bounce.diagnostic ?? '').length <= 2000, 'the diagnostic is an excerpt of the body');
    }),
    options,
  );
});

test('hostile text: the bounce classifier reads a Diagnostic-Code and a subject in linear time', () => {
  fc.assert(
    fc.property(hostile, (text) => {
      assertBounceAssessment(withinBudget('assessBounce (report)', text, () => assessBounce(reportWith(text))));
      assertBounceAssessment(withinBudget('assessBounce (subject)', text, () => assessBounce(inboundMessage({ from: { address: 'mailer-daemon@mx.buyer.com', name: null }, subject: text }))));
      for (const status of [null, '5.0.0', '5.7.1']) {
        const { severity, why } = withinBudget(`bounceSeverity(${status})`, text, () => bounceSeverity(status, text));
        assert.ok(['hard', 'soft'].includes(severity) && why.length > 0);
      }
    }),
    options,
  );
});

test('hostile text: auto-reply subjects are read in linear time', () => {
  fc.assert(
    fc.property(hostile, (text) => {
      const reasons = withinBudget('autoReplyReasons', text, () => autoReplyReasons(inboundMessage({ subject: text, autoReplyMarkers: { ...markers, autoSubmitted: 'auto-replied' } })));
      assert.ok(reasons.includes('Auto-Submitted: auto-replied'), 'the header still counts');
      const language = withinBudget('autoReplySubjectLanguage', text, () => autoReplySubjectLanguage(text));
      assert.ok(language === null || /^[a-z]{2}$/.test(language));
    }),
    options,
  );
});

test('hostile text: auto-reply bodies, their language and unsubscribe requests are read in linear time', () => {
  fc.assert(
    fc.property(hostile, (text) => {
      // No header marks it, one hint does: the body's away and automatic sentences are all read.
      const message = inboundMessage({ subject: text, textBody: text, autoReplyMarkers: { ...markers, xAutoResponseSuppress: 'All' } });
      const reasons = withinBudget('autoReplyReasons (body)', text, () => autoReplyReasons(message));
      assert.ok(reasons.every((r) => typeof r === 'string' && r.length <= 200));
      const language = withinBudget('autoReplyLanguage', text, () => autoReplyLanguage(message));
      assert.ok(language === null || /^[a-z]{2}$/.test(language));
      const request = withinBudget('unsubscribeRequest', text, () => unsubscribeRequest(message));
      assert.ok(request === null || (/^[a-z]{2}$/.test(request.language) && ['subject', 'first line', 'body'].includes(request.where)));
    }),
    options,
  );
});

test('hostile text: a return date is found in linear time, and only a plausible one', () => {
  const received = Date.parse(RECEIVED);
  fc.assert(
    fc.property(hostile, fc.constantFrom('en', 'de', 'fr', 'hu', 'ja', 'ru', 'lt', null), (text, language) => {
      const date = withinBudget('extractReturnDate', text, () => extractReturnDate(text, RECEIVED, language));
      if (date === null) return;
      assert.match(date, /^\d{4}-\d{2}-\d{2}$/);
      const at = Date.parse(`${date}T00:00:00Z`);
      assert.ok(at >= received - 86_400_000 && at <= received + 367 * 86_400_000, `${date} is within a year of the message`);
    }),
    options,
  );
});

test('hostile text: msg-ids in a bounce body are found in linear time', () => {
  fc.assert(
    fc.property(hostile, (text) => {
      const message = bounceWith(text);
      const ids = withinBudget('enclosedMessageIds', text, () => enclosedMessageIds(message));
      assert.ok(ids.every((id) => MSG_ID.test(id)) && new Set(ids).size === ids.length, 'distinct msg-ids');
      const referenced = withinBudget('referencedMessageIds', text, () => referencedMessageIds(message));
      assert.deepEqual(
        referenced.map((r) => r.id),
        ids,
      );
    }),
    options,
  );
});

test('hostile text: whole messages are decided in linear time, with their evidence', () => {
  fc.assert(
    fc.property(hostile, (text) => {
      for (const [what, message] of [
        ['bounce', bounceWith(text)],
        ['report', reportWith(text)],
        ['auto-reply', autoReplyWith(text)],
        ['reply', inboundMessage({ textBody: text })],
      ] as const) {
        const verdict = withinBudget(`detectReply (${what})`, text, () => detectReply(message, CTX));
        assert.ok(KINDS.includes(verdict.kind));
        assert.ok(verdict.reasons.length >= 2, 'every verdict carries its evidence');
        if (what === 'auto-reply') assert.equal(verdict.kind, 'auto_reply');
      }
    }),
    options,
  );
});

test('hostile text: Thread-Index values and activity snippets are read in linear time', () => {
  fc.assert(
    fc.property(hostile, (text) => {
      const key = withinBudget('threadIndexConversationKey', text, () => threadIndexConversationKey(text));
      assert.ok(key === null || /^[0-9a-f]{44}$/.test(key));
      const snippet = withinBudget('snippetOf', text, () => snippetOf(text));
      assert.ok(snippet === null || (snippet.length <= 280 && !/\s\s/.test(snippet)));
    }),
    options,
  );
});

// The cases that were quadratic, each on its own; the times before the fix are from this 2-core machine.

// Issue 10 measured 1.6 s; 0.46 to 0.49 s here.
test('issue 10: a message whose body is one 32 KiB line of dashes is classified within budget', () => {
  const dashes = '-'.repeat(32 * 1024);
  const bounce = withinBudget('assessBounce', dashes, () => assessBounce(bounceWith(dashes)));
  assert.equal(bounce.outcome, 'bounce');
  const verdict = withinBudget('detectReply', dashes, () => detectReply(inboundMessage({ textBody: dashes }), CTX));
  assert.equal(verdict.kind, 'reply');
});

// Was 0.15 s.
test('a Diagnostic-Code of 32 KiB of "exceeds " is classified within budget, the wording still found', () => {
  const exceeds = 'exceeds '.repeat(4 * 1024);
  withinBudget('bounceSeverity', exceeds, () => bounceSeverity('5.0.0', exceeds));
  // Only the first 8000 characters of a diagnostic are read for its cause (MAX_CAUSE_TEXT).
  const found = `${'exceeds '.repeat(900)}the size limit`;
  assert.match(withinBudget('bounceSeverity', found, () => bounceSeverity('5.0.0', found)).why, /^message_too_big: diagnostic says "(?:exceeds )+the size limit"$/);
});

// Were 0.45 to 0.6 s and 0.3 s.
test('a body of 32 KiB of blank lines and one of "<a@a@a@…" are searched for Message-ID lines within budget', () => {
  const blank = `${'\n'.repeat(32 * 1024)}x`;
  assert.deepEqual(withinBudget('enclosedMessageIds', blank, () => enclosedMessageIds(bounceWith(blank))), []);
  const ats = `Message-ID: <${'a@'.repeat(16 * 1024)}`;
  assert.deepEqual(withinBudget('enclosedMessageIds', ats, () => enclosedMessageIds(bounceWith(ats))), []);
});

// Was 28 to 31 ms: the explanation is cut at 8000 characters, which bounded the damage, not the shape.
test('an 8000-character explanation without an @ is searched for the recipient within budget', () => {
  const letters = 'a'.repeat(8000);
  const bounce = withinBudget('assessBounce', letters, () => assessBounce(bounceWith(letters)));
  assert.equal(bounce.outcome === 'bounce' && bounce.bounce.recipient, null);
});

// Issue 15: the openings of the out-of-office, date and unsubscribe patterns, repeated over 32 KiB
// (each pattern must fail fast where its first part matches and the rest does not).
test('issue 15: 32 KiB runs of phrase, month, weekday and request openings are read within budget', () => {
  for (const unit of ['ich bin ', 'ich möchte mich ', 'montag, den ', 'december ', '14. ', '14 de ', '12/', '2026. ', 'remove me from the ', "don't ", 'не пишите мне ', '配信', '수신 ', 'I am out of the office ', 'the ', "ta' ", 'по ']) {
    const text = unit.repeat(Math.ceil((32 * 1024) / unit.length));
    const message = inboundMessage({ subject: text, textBody: text, autoReplyMarkers: { ...markers, xAutoResponseSuppress: 'All' } });
    withinBudget(`autoReplyReasons (${unit})`, text, () => autoReplyReasons(message));
    withinBudget(`autoReplyLanguage (${unit})`, text, () => autoReplyLanguage(message));
    withinBudget(`extractReturnDate (${unit})`, text, () => extractReturnDate(text, RECEIVED, 'de'));
    withinBudget(`unsubscribeRequest (${unit})`, text, () => unsubscribeRequest(message));
  }
});
