import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeHTMLAttribute } from 'entities';
import { instrumentHtml, type InstrumentHtmlOptions } from '../src/html-instrumenter';
import { getAttribute, tokenizeHtml } from '../src/html-tokenizer';
import { parseSigningKeys } from '../src/signing-key-ring';
import { signTrackingToken, verifyTrackingToken } from '../src/tracking-token';
import { buildClickUrl, buildOpenUrl } from '../src/tracking-url';
import { expectedGolden, readEmailFixture } from './email-fixtures';

const PIXEL_URL = 'https://t.test/o/open-token';
const clickUrlFor = (_url: string, linkIndex: number): string => `https://t.test/c/${linkIndex}`;
const track: InstrumentHtmlOptions = { openPixelUrl: PIXEL_URL, clickUrlFor };

/** The decoded href of every `<a>`/`<area>` outside comments and raw text, in document order. */
function hrefsOf(html: string): (string | null)[] {
  return tokenizeHtml(html).flatMap((token) => {
    if (token.type !== 'startTag' || (token.name !== 'a' && token.name !== 'area')) return [];
    const href = getAttribute(token, 'href');
    return [href === undefined ? null : decodeHTMLAttribute(href.rawValue)];
  });
}

/** Comments and raw-text bodies (style, script, title), verbatim. */
function untouchableParts(html: string): string[] {
  return tokenizeHtml(html)
    .filter((token) => token.type === 'comment' || token.type === 'rawText')
    .map((token) => html.slice(token.start, token.end));
}

function pixelPositions(html: string): number[] {
  const positions: number[] = [];
  for (let index = html.indexOf(`<img src="${PIXEL_URL}"`); index >= 0; index = html.indexOf(`<img src="${PIXEL_URL}"`, index + 1)) {
    positions.push(index);
  }
  return positions;
}

describe('instrumentHtml on realistic emails', () => {
  const cases: { fixture: string; pixelAfter: string | null; tracked: string[] }[] = [
    {
      fixture: 'outlook-newsletter',
      pixelAfter: '<body style="margin:0;padding:0;background-color:#f4f4f4;" lang="en">',
      tracked: [
        'https://acme.example/?utm_source=newsletter&utm_medium=email&utm_campaign=q3',
        'https://acme.example/blog/q3-release?ref=email&lang=en',
        'https://acme.example/demo',
        'https://docs.acme.example/live-feed',
        'https://acme.example/privacy',
      ],
    },
    {
      fixture: 'gmail-reply',
      pixelAfter: null,
      tracked: [
        'https://docs.acme.example/deck-2025.pdf',
        'https://acme.example/pricing',
        'https://cal.example/jane/30min?month=2025-03&tz=Europe%2FBerlin',
        'https://www.linkedin.com/in/janedoe/',
        'http://customer.example/brief',
      ],
    },
    {
      fixture: 'no-body-with-head',
      pixelAfter: '</head>',
      tracked: ['https://video.example/watch?v=42&t=10'],
    },
    {
      fixture: 'entity-hrefs',
      pixelAfter: null,
      tracked: [
        'https://shop.example/p?id=1&color=red&size=m&q=a%20b',
        'https://shop.example/unquoted?x=1&y=2',
        'https://shop.example/single?a=1"2',
        'https://shop.example/legacy?x=1&copy=2&reg=3&lt=4',
        'https://shop.example/padded',
        'https://shop.example/multi-line',
        'https://shop.example/area',
      ],
    },
    {
      fixture: 'unsubscribe-footers',
      pixelAfter: '<body>',
      tracked: ['https://shop.example/de/angebote', 'https://mail.example/company'],
    },
  ];

  for (const { fixture, pixelAfter, tracked } of cases) {
    describe(fixture, () => {
      const input = readEmailFixture(`${fixture}.html`);
      const result = instrumentHtml(input, track);

      it('lists exactly the tracked links, in document order', () => {
        assert.deepEqual(result.links, tracked.map((url, linkIndex) => ({ linkIndex, url })));
      });

      it('puts one pixel near the top', () => {
        const expected = pixelAfter === null ? 0 : input.indexOf(pixelAfter) + pixelAfter.length;
        assert.ok(pixelAfter === null || input.indexOf(pixelAfter) >= 0);
        assert.deepEqual(pixelPositions(result.html), [expected]);
      });

      it('rewrites exactly the tracked hrefs and leaves every other href as written', () => {
        const before = hrefsOf(input);
        const after = hrefsOf(result.html);
        assert.equal(after.length, before.length);
        let next = 0;
        const expected = before.map((href) => {
          if (href !== null && next < tracked.length && href.trim() === tracked[next]) return clickUrlFor(href, next++);
          return href;
        });
        assert.equal(next, tracked.length);
        assert.deepEqual(after, expected);
      });

      it('leaves comments, conditional comments, style and script untouched', () => {
        assert.deepEqual(untouchableParts(result.html), untouchableParts(input));
      });

      it('matches the golden output', () => {
        assert.equal(result.html, expectedGolden(`${fixture}.instrumented.html`, result.html));
      });
    });
  }
});

describe('instrumentHtml switches and placement', () => {
  const html = '<html><body><p><a href="https://example.com/a">A</a></p></body></html>';

  it('changes nothing when both switches are off', () => {
    assert.deepEqual(instrumentHtml(html, { openPixelUrl: null, clickUrlFor: null }), { html, links: [] });
  });

  it('adds only the pixel when click tracking is off', () => {
    const result = instrumentHtml(html, { openPixelUrl: PIXEL_URL, clickUrlFor: null });
    assert.deepEqual(result.links, []);
    assert.equal(result.html.replace(/<img [^>]*>/, ''), html);
    assert.deepEqual(pixelPositions(result.html), ['<html><body>'.length]);
  });

  it('rewrites only links when open tracking is off', () => {
    const result = instrumentHtml(html, { openPixelUrl: null, clickUrlFor });
    assert.equal(result.html, '<html><body><p><a href="https://t.test/c/0">A</a></p></body></html>');
  });

  const placements: { name: string; html: string; pixelAt: number }[] = [
    { name: 'upper-case body with attributes', html: '<HTML><BODY CLASS="x" data-a="1>2">hi</BODY></HTML>', pixelAt: '<HTML><BODY CLASS="x" data-a="1>2">'.length },
    { name: 'body mentioned in a comment first', html: '<!-- <body> --><body>hi</body>', pixelAt: '<!-- <body> --><body>'.length },
    { name: 'body inside a conditional comment is not the body', html: '<!--[if mso]><body><![endif]-->hi', pixelAt: 0 },
    { name: 'fragment', html: '<p>hi</p>', pixelAt: 0 },
    { name: 'empty document', html: '', pixelAt: 0 },
    { name: 'doctype, no head, no body', html: '<!DOCTYPE html>\n<p>hi</p>', pixelAt: '<!DOCTYPE html>'.length },
    { name: 'html tag, no head, no body', html: '<!doctype html><html lang="en"><p>hi</p>', pixelAt: '<!doctype html><html lang="en">'.length },
    { name: 'leading conditional comment in a fragment', html: '<!--[if mso]><table><tr><td><![endif]--><p>hi</p>', pixelAt: 0 },
  ];
  for (const placement of placements) {
    it(`places the pixel: ${placement.name}`, () => {
      const result = instrumentHtml(placement.html, { openPixelUrl: PIXEL_URL, clickUrlFor: null });
      assert.deepEqual(pixelPositions(result.html), [placement.pixelAt]);
    });
  }

  it('writes a 1x1, borderless, alt-less pixel and escapes its URL', () => {
    const result = instrumentHtml('<body></body>', { openPixelUrl: 'https://t.test/o/a?b=1&c="2"', clickUrlFor: null });
    assert.equal(
      result.html,
      '<body><img src="https://t.test/o/a?b=1&amp;c=&quot;2&quot;" width="1" height="1" alt="" border="0" ' +
        'style="display:block;border:0;outline:none;text-decoration:none;width:1px;height:1px;max-width:1px;max-height:1px;overflow:hidden"></body>',
    );
  });

  it('keeps the author\'s quote style and escapes the tracked URL for it', () => {
    const input = `<a href="https://e.com/1">1</a><a href='https://e.com/2'>2</a><a href=https://e.com/3>3</a>`;
    const result = instrumentHtml(input, { openPixelUrl: null, clickUrlFor: (_url, index) => `https://t.test/c/${index}?x='&"` });
    assert.equal(
      result.html,
      `<a href="https://t.test/c/0?x='&amp;&quot;">1</a>` +
        `<a href='https://t.test/c/1?x=&#39;&amp;"'>2</a>` +
        `<a href="https://t.test/c/2?x='&amp;&quot;">3</a>`,
    );
  });

  it('asks for each tracked URL once, in order, with its index', () => {
    const calls: [string, number][] = [];
    instrumentHtml('<a href="https://e.com/x">1</a><a href="mailto:a@b.c">2</a><a href="https://e.com/x">3</a>', {
      openPixelUrl: null,
      clickUrlFor: (url, index) => {
        calls.push([url, index]);
        return 'https://t.test/c';
      },
    });
    assert.deepEqual(calls, [['https://e.com/x', 0], ['https://e.com/x', 1]]);
  });

  it('only the first of duplicate href attributes counts, like in browsers', () => {
    const result = instrumentHtml('<a href="https://e.com/first" href="https://e.com/second">x</a>', { openPixelUrl: null, clickUrlFor });
    assert.equal(result.html, '<a href="https://t.test/c/0" href="https://e.com/second">x</a>');
  });

  it('uses the text up to the next anchor when </a> is missing', () => {
    const result = instrumentHtml('<a href="https://e.com/a">Read<a href="https://e.com/b">Unsubscribe</a>', { openPixelUrl: null, clickUrlFor });
    assert.deepEqual(result.links, [{ linkIndex: 0, url: 'https://e.com/a' }]);
  });

  it('is deterministic', () => {
    const input = readEmailFixture('outlook-newsletter.html');
    assert.deepEqual(instrumentHtml(input, track), instrumentHtml(input, track));
  });
});

describe('instrumentHtml with real tokens', () => {
  it('every rewritten link verifies back to its original URL and index', () => {
    const keys = parseSigningKeys(`k1:${Buffer.alloc(32, 7).toString('base64')}`);
    const base = 'https://t.acme.example';
    const common = {
      orgId: '0f8fad5b-d9cb-469f-a165-70867728950e',
      sentEmailId: '7c9e6679-7425-40de-944b-e07fc1f90ae7',
      issuedAt: new Date('2025-03-01T12:00:00Z'),
    };
    const input = readEmailFixture('outlook-newsletter.html');
    const result = instrumentHtml(input, {
      openPixelUrl: buildOpenUrl(base, signTrackingToken({ kind: 'open', ...common }, keys)),
      clickUrlFor: (url, linkIndex) => buildClickUrl(base, signTrackingToken({ kind: 'click', ...common, linkIndex, url }, keys)),
    });
    const clickTokens = hrefsOf(result.html)
      .filter((href): href is string => href !== null && href.startsWith(`${base}/c/`))
      .map((href) => href.slice(`${base}/c/`.length));
    assert.equal(clickTokens.length, result.links.length);
    clickTokens.forEach((token, index) => {
      const verified = verifyTrackingToken(token, keys, { now: common.issuedAt });
      assert.ok(verified.ok && verified.claims.kind === 'click');
      assert.equal(verified.claims.linkIndex, index);
      assert.equal(verified.claims.url, result.links[index]?.url);
    });
    const pixelToken = /<img src="https:\/\/t\.acme\.example\/o\/([A-Za-z0-9_-]+)"/.exec(result.html)?.[1];
    assert.ok(pixelToken !== undefined);
    const open = verifyTrackingToken(pixelToken, keys, { now: common.issuedAt });
    assert.deepEqual(open, { ok: true, claims: { kind: 'open', ...common } });
  });
});
