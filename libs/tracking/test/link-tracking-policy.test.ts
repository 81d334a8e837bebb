import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decideLinkTracking, type LinkDecision } from '../src/link-tracking-policy';

describe('decideLinkTracking', () => {
  const cases: { href: string; text?: string; optedOut?: boolean; decision: LinkDecision }[] = [
    { href: 'https://example.com/demo', decision: { track: true, url: 'https://example.com/demo' } },
    { href: 'HTTP://Example.com', decision: { track: true, url: 'HTTP://Example.com' } },
    { href: '  https://example.com/x \n', decision: { track: true, url: 'https://example.com/x' } },
    { href: '', decision: { track: false, reason: 'empty' } },
    { href: ' \t', decision: { track: false, reason: 'empty' } },
    { href: '#top', decision: { track: false, reason: 'in_page_anchor' } },
    { href: 'mailto:ana@example.com', decision: { track: false, reason: 'non_http_scheme' } },
    { href: 'MAILTO:ana@example.com', decision: { track: false, reason: 'non_http_scheme' } },
    { href: 'tel:+15555550100', decision: { track: false, reason: 'non_http_scheme' } },
    { href: 'sms:+15555550100', decision: { track: false, reason: 'non_http_scheme' } },
    { href: 'javascript:void(0)', decision: { track: false, reason: 'non_http_scheme' } },
    { href: 'cid:logo@example', decision: { track: false, reason: 'non_http_scheme' } },
    { href: 'ftp://example.com/f', decision: { track: false, reason: 'non_http_scheme' } },
    { href: '/relative/path', decision: { track: false, reason: 'relative' } },
    { href: '//example.com/protocol-relative', decision: { track: false, reason: 'relative' } },
    { href: '{{unsubscribe_url}}', decision: { track: false, reason: 'relative' } },
    { href: 'https://example.com/x', optedOut: true, decision: { track: false, reason: 'opted_out' } },
    { href: 'https://example.com/unsubscribe', decision: { track: false, reason: 'unsubscribe' } },
    { href: 'https://example.com/x', text: 'Unsubscribe', decision: { track: false, reason: 'unsubscribe' } },
    { href: 'https://user:pw@example.com/', decision: { track: false, reason: 'unsafe_url' } },
    { href: 'https:example.com', decision: { track: false, reason: 'unsafe_url' } },
    { href: `https://example.com/${'x'.repeat(5000)}`, decision: { track: false, reason: 'unsafe_url' } },
  ];
  for (const { href, text = 'Read more', optedOut = false, decision } of cases) {
    it(`${JSON.stringify(href.slice(0, 50))} (${text}${optedOut ? ', opted out' : ''}) → ${decision.track ? 'track' : decision.reason}`, () => {
      assert.deepEqual(decideLinkTracking({ href, text, optedOut }), decision);
    });
  }
});
