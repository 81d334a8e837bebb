import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkRedirectUrl, MAX_CLICK_URL_BYTES, type RedirectUrlRejection } from '../src/redirect-url-policy';

describe('checkRedirectUrl', () => {
  const accepted: { url: string; location: string }[] = [
    { url: 'https://example.com', location: 'https://example.com/' },
    { url: 'http://example.com/path?q=1&r=2#frag', location: 'http://example.com/path?q=1&r=2#frag' },
    { url: 'HTTPS://Example.COM/A', location: 'https://example.com/A' },
    { url: 'https://example.com:8443/x', location: 'https://example.com:8443/x' },
    { url: 'https://bücher.example/straße?q=ü', location: 'https://xn--bcher-kva.example/stra%C3%9Fe?q=%C3%BC' },
    { url: 'https://example.com/a b', location: 'https://example.com/a%20b' },
    { url: 'https://[2001:db8::1]/', location: 'https://[2001:db8::1]/' },
    { url: 'https://example.com/?next=https://other.example', location: 'https://example.com/?next=https://other.example' },
  ];
  for (const { url, location } of accepted) {
    it(`accepts ${url}`, () => {
      assert.deepEqual(checkRedirectUrl(url), { ok: true, location });
    });
  }

  const rejected: { url: string; reason: RedirectUrlRejection }[] = [
    { url: '', reason: 'empty' },
    { url: 'javascript:alert(1)', reason: 'not_absolute_http' },
    { url: 'JavaScript:alert(1)//https://example.com', reason: 'not_absolute_http' },
    { url: 'java\tscript:alert(1)', reason: 'control_character' },
    { url: 'data:text/html,<script>alert(1)</script>', reason: 'not_absolute_http' },
    { url: 'vbscript:msgbox', reason: 'not_absolute_http' },
    { url: '//evil.example/x', reason: 'not_absolute_http' },
    { url: '/relative/path', reason: 'not_absolute_http' },
    { url: 'example.com', reason: 'not_absolute_http' },
    { url: 'https:evil.example', reason: 'not_absolute_http' },
    { url: 'https:\\\\evil.example', reason: 'not_absolute_http' },
    { url: 'ftp://files.example/x', reason: 'not_absolute_http' },
    { url: 'mailto:someone@example.com', reason: 'not_absolute_http' },
    { url: 'https://user:pass@example.com/', reason: 'credentials' },
    { url: 'https://bank.example@evil.example/', reason: 'credentials' },
    { url: 'https://@evil.example/', reason: 'credentials' },
    { url: 'https://:@evil.example/', reason: 'credentials' },
    { url: 'https://example.com/\nLocation: https://evil.example', reason: 'control_character' },
    { url: 'https://example.com/\r', reason: 'control_character' },
    { url: 'https://example.com/\u0000', reason: 'control_character' },
    { url: 'https://example.com/\u007f', reason: 'control_character' },
    { url: 'https://example.com/\u0085', reason: 'control_character' },
    { url: 'https://example.com/\u202egnp.exe', reason: 'control_character' },
    { url: 'https://example.com/\u2028', reason: 'control_character' },
    { url: ' https://example.com', reason: 'surrounding_whitespace' },
    { url: 'https://example.com ', reason: 'surrounding_whitespace' },
    { url: '\ufeffhttps://example.com', reason: 'surrounding_whitespace' },
    { url: 'https://', reason: 'unparseable' },
    { url: 'https://exa mple.com/', reason: 'unparseable' },
    { url: 'http://[::1', reason: 'unparseable' },
    { url: `https://example.com/${'a'.repeat(MAX_CLICK_URL_BYTES)}`, reason: 'too_long' },
    { url: `https://example.com/${'ü'.repeat(MAX_CLICK_URL_BYTES / 2)}`, reason: 'too_long' },
  ];
  for (const { url, reason } of rejected) {
    it(`rejects ${JSON.stringify(url.slice(0, 60))} as ${reason}`, () => {
      assert.deepEqual(checkRedirectUrl(url), { ok: false, reason });
    });
  }

  it('accepts a URL of exactly the maximum byte length', () => {
    const prefix = 'https://example.com/';
    const url = prefix + 'a'.repeat(MAX_CLICK_URL_BYTES - prefix.length);
    assert.equal(checkRedirectUrl(url).ok, true);
  });
});
