import { test } from 'node:test';
import assert from 'node:assert/strict';
import { classifyOoo, loadOooCorpus, parseOooCase, withoutAutoHeaders } from './support/ooo-corpus';

/**
 * Issue 15: out-of-office replies from Exchange/Microsoft 365, Gmail and Zimbra in 35 languages and
 * their legacy charsets, read from raw RFC 5322 files (test/ooo-corpus, written by
 * ooo-corpus/write-corpus.ts from ooo-corpus/messages.ts): each is an auto-reply with the exact
 * return date worked out by hand; the same message stripped of its automatic-mail headers is still
 * one (subject label or body). Human replies, and "stop emailing me" requests and look-alikes.
 */
const cases = loadOooCorpus();

test('the corpus covers every language of the issue in the three systems', () => {
  const labels = new Set(cases.filter((c) => ['exchange', 'gmail', 'zimbra'].includes(c.provider)).map((c) => c.label));
  for (const label of ['bg', 'hr', 'cs', 'da', 'nl', 'en', 'et', 'fi', 'fr', 'de', 'el', 'hu', 'ga', 'it', 'lv', 'lt', 'mt', 'pl', 'pt', 'ro', 'sk', 'sl', 'es', 'sv', 'no', 'ru', 'uk', 'tr', 'ar', 'he', 'hi', 'pt-BR', 'zh', 'ja', 'ko']) {
    assert.ok(labels.has(label), `${label} has out-of-office messages`);
    for (const provider of ['exchange', 'gmail', 'zimbra']) assert.ok(cases.some((c) => c.label === label && c.provider === provider), `${label} from ${provider}`);
  }
});

for (const c of cases) {
  test(`ooo corpus: ${c.file}`, async () => {
    const message = await parseOooCase(c);
    const verdict = classifyOoo(message);
    assert.equal(verdict.kind, c.kind, verdict.reasons.join(' | '));
    assert.equal(verdict.returnDate, c.returnDate, verdict.reasons.join(' | '));
    if (c.unsubscribe !== undefined) assert.equal(verdict.unsubscribeRequest !== null, c.unsubscribe, verdict.reasons.join(' | '));
    else assert.equal(verdict.unsubscribeRequest, null);
    // The parser copies Exchange's mailbox-rule stamp (X-MS-Exchange-Inbox-Rules-Loop) as the marker.
    if (c.provider === 'exchange') assert.match(message.autoReplyMarkers.xMsExchangeAutoReply ?? '', /@/);
    else assert.equal(message.autoReplyMarkers.xMsExchangeAutoReply, undefined);
    if (['exchange', 'gmail', 'zimbra'].includes(c.provider)) {
      const bare = classifyOoo(withoutAutoHeaders(message));
      assert.equal(bare.kind, 'auto_reply', `without its headers: ${bare.reasons.join(' | ')}`);
      assert.equal(bare.returnDate, c.returnDate);
    }
  });
}
