import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { tokenizeHtml, type HtmlToken } from '../src/html-tokenizer';

/** Tokens as short strings, to keep the tables readable. */
function describeTokens(html: string): string[] {
  return tokenizeHtml(html).map((token: HtmlToken) => {
    const raw = html.slice(token.start, token.end);
    switch (token.type) {
      case 'text':
        return `text:${raw}`;
      case 'comment':
        return `comment:${raw}`;
      case 'rawText':
        return `raw(${token.element}):${raw}`;
      case 'endTag':
        return `end:${token.name}`;
      case 'startTag': {
        const attributes = token.attributes.map((attribute) =>
          attribute.quote === null ? attribute.name : `${attribute.name}=${attribute.quote}${attribute.rawValue}${attribute.quote}`,
        );
        return `start:${[token.name, ...attributes].join(' ')}${token.selfClosing ? ' /' : ''}`;
      }
    }
  });
}

describe('tokenizeHtml', () => {
  const cases: { name: string; html: string; tokens: string[] }[] = [
    { name: 'plain text', html: 'hello', tokens: ['text:hello'] },
    {
      name: 'attribute quoting styles',
      html: `<a href="d" title='s' data-x=u hidden>x</a>`,
      tokens: [`start:a href="d" title='s' data-x=u hidden`, 'text:x', 'end:a'],
    },
    {
      name: 'case-insensitive names',
      html: '<A HREF="X" Target=_blank>y</A>',
      tokens: ['start:a href="X" target=_blank', 'text:y', 'end:a'],
    },
    {
      name: '> and quotes inside quoted values',
      html: `<a title="a > b" alt='it"s'>z</a>`,
      tokens: [`start:a title="a > b" alt='it"s'`, 'text:z', 'end:a'],
    },
    {
      name: 'whitespace around =',
      html: '<a href = "x"\n\tclass =y>',
      tokens: ['start:a href="x" class=y'],
    },
    { name: 'missing whitespace between attributes', html: '<a href="x"class="y">', tokens: ['start:a href="x" class="y"'] },
    { name: 'self-closing', html: '<br/><img src=x />', tokens: ['start:br /', 'start:img src=x /'] },
    { name: 'unquoted value ending at >', html: '<a href=x>', tokens: ['start:a href=x'] },
    { name: 'unquoted value with slash', html: '<a href=https://e.com/a/>', tokens: ['start:a href=https://e.com/a/'] },
    { name: 'missing attribute value', html: '<a href=>t', tokens: ['start:a href=', 'text:t'] },
    {
      name: 'comments in their variants',
      html: '<!----><!--x--><!-->a<!--->b<!--c--!>d<!--e',
      tokens: ['comment:<!---->', 'comment:<!--x-->', 'comment:<!-->', 'text:a', 'comment:<!--->', 'text:b', 'comment:<!--c--!>', 'text:d', 'comment:<!--e'],
    },
    {
      name: 'downlevel-hidden conditional comment is one comment',
      html: '<!--[if mso]><a href="x">y</a><![endif]-->',
      tokens: ['comment:<!--[if mso]><a href="x">y</a><![endif]-->'],
    },
    {
      name: 'downlevel-revealed conditional comment exposes its content',
      html: '<!--[if !mso]><!--><a href="x">y</a><!--<![endif]-->',
      tokens: ['comment:<!--[if !mso]><!-->', 'start:a href="x"', 'text:y', 'end:a', 'comment:<!--<![endif]-->'],
    },
    {
      name: 'doctype, processing instruction, CDATA, odd end tags',
      html: '<!DOCTYPE html><?xml version="1.0"?><![CDATA[x]]></3 x></>',
      tokens: ['comment:<!DOCTYPE html>', 'comment:<?xml version="1.0"?>', 'comment:<![CDATA[x]]>', 'comment:</3 x>', 'comment:</>'],
    },
    {
      name: 'style and script bodies are raw text',
      html: '<style>a[href="<a href=x>"]{}</style ><script>if (a<b) { s = "</scrip" }</SCRIPT>',
      tokens: ['start:style', 'raw(style):a[href="<a href=x>"]{}', 'end:style', 'start:script', 'raw(script):if (a<b) { s = "</scrip" }', 'end:script'],
    },
    {
      name: 'title is raw text',
      html: '<title>A <b>bold</b> title</title>',
      tokens: ['start:title', 'raw(title):A <b>bold</b> title', 'end:title'],
    },
    { name: 'unterminated style runs to the end', html: '<style>a{}', tokens: ['start:style', 'raw(style):a{}'] },
    { name: 'lone < is text', html: 'a < b <3 <', tokens: ['text:a < b <3 <'] },
    { name: 'EOF inside a tag leaves the rest as text', html: 'x<a href="y', tokens: ['text:x<a href="y'] },
    { name: 'EOF inside an end tag', html: 'x</a', tokens: ['text:x</a'] },
    { name: 'duplicate attributes are all kept', html: '<a href=1 HREF=2>', tokens: ['start:a href=1 href=2'] },
    { name: 'attribute name starting with =', html: '<a =x>', tokens: ['start:a =x'] },
  ];
  for (const { name, html, tokens } of cases) {
    it(name, () => {
      assert.deepEqual(describeTokens(html), tokens);
    });
  }

  it('records value offsets including the quotes', () => {
    const html = `<a x="1" y='2' z=3 w>`;
    const [tag] = tokenizeHtml(html);
    assert.ok(tag?.type === 'startTag');
    assert.deepEqual(
      tag.attributes.map((attribute) => html.slice(attribute.valueStart, attribute.valueEnd)),
      ['"1"', "'2'", '3', ''],
    );
  });

  it('covers the input: tokens are contiguous, ordered and complete', () => {
    const html = '<!doctype html><html><head><style>p{}</style></head><body><p>a<br>b</p><!--c--></body></html>';
    const tokens = tokenizeHtml(html);
    let position = 0;
    for (const token of tokens) {
      assert.equal(token.start, position);
      position = token.end;
    }
    assert.equal(position, html.length);
  });

  it('stays linear on pathological input', { timeout: 10_000 }, () => {
    const inputs = [
      '<!--x-->'.repeat(100_000),
      '<a href=x>'.repeat(100_000),
      '<style></style>'.repeat(50_000),
      '<a '.repeat(50_000) + '<!--'.repeat(50_000) + '<style>'.repeat(1000),
      '<'.repeat(200_000),
    ];
    for (const html of inputs) assert.ok(tokenizeHtml(html).length > 0);
  });
});
