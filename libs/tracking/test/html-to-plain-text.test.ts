import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { htmlToPlainText } from '../src/html-to-plain-text';
import { expectedGolden, readEmailFixture } from './email-fixtures';

describe('htmlToPlainText', () => {
  const cases: { name: string; html: string; text: string }[] = [
    { name: 'plain text passes through', html: 'Hello there', text: 'Hello there' },
    { name: 'whitespace collapses', html: '  Hello \n\t  there  ', text: 'Hello there' },
    { name: 'paragraphs are separated by a blank line', html: '<p>One</p><p>Two</p>', text: 'One\n\nTwo' },
    { name: 'line breaks are kept', html: '<p>One<br>Two<br/>Three</p>', text: 'One\nTwo\nThree' },
    { name: 'two line breaks give a blank line', html: 'A<br><br>B', text: 'A\n\nB' },
    { name: 'nested blocks do not pile up blank lines', html: '<div><div><p>A</p></div></div><div><p>B</p></div>', text: 'A\n\nB' },
    { name: 'divs give single line breaks', html: '<div>A</div><div>B</div>', text: 'A\nB' },
    { name: 'Gmail empty line idiom', html: '<div>Hi,</div><div><br></div><div>Text</div>', text: 'Hi,\n\nText' },
    { name: 'inline elements stay inline', html: 'A <b>bold</b> and <i>italic</i>!', text: 'A bold and italic!' },
    { name: 'entities are decoded', html: '<p>Fish &amp; chips &lt;3 &mdash; caf&eacute; &#8364;5 &#x1F600; &nbsp;x</p>', text: 'Fish & chips <3 — café €5 😀 x' },
    { name: 'link written as text (url)', html: 'See <a href="https://e.com/p?a=1&amp;b=2">pricing</a>.', text: 'See pricing (https://e.com/p?a=1&b=2).' },
    { name: 'link whose text is its URL', html: '<a href="https://e.com/">https://e.com</a>', text: 'https://e.com' },
    { name: 'link whose text is its host', html: '<a href="https://e.com">e.com</a>', text: 'e.com' },
    { name: 'link with only an image uses the alt text', html: '<a href="https://e.com"><img src="x.png" alt="Acme"></a>', text: 'Acme (https://e.com)' },
    { name: 'link with nothing readable shows the URL', html: '<a href="https://e.com/x"><img src="x.png"></a>', text: 'https://e.com/x' },
    { name: 'mailto link whose text is the address', html: '<a href="mailto:a@e.com">a@e.com</a>', text: 'a@e.com' },
    { name: 'mailto link with other text', html: '<a href="mailto:a@e.com?subject=Hi">Email us</a>', text: 'Email us (a@e.com)' },
    { name: 'tel link', html: '<a href="tel:+15555550100">Call</a>', text: 'Call (+15555550100)' },
    { name: 'tel link whose text is the number', html: '<a href="tel:+15555550100">+1 (555) 555-0100</a>', text: '+1 (555) 555-0100' },
    { name: 'in-page anchor shows text only', html: '<a href="#top">Top</a>', text: 'Top' },
    { name: 'javascript link shows text only', html: '<a href="javascript:void(0)">Click</a>', text: 'Click' },
    { name: 'unclosed link ends at the next link', html: '<a href="https://a.e">A<a href="https://b.e">B</a>', text: 'A (https://a.e)B (https://b.e)' },
    { name: 'unordered list', html: '<p>Items:</p><ul><li>One</li><li>Two</li></ul><p>End</p>', text: 'Items:\n\n- One\n- Two\n\nEnd' },
    { name: 'ordered list with start', html: '<ol start="3"><li>C</li><li><p>D</p></li></ol>', text: '3. C\n4. D' },
    { name: 'nested list is indented', html: '<ul><li>A<ul><li>A1</li></ul></li><li>B</li></ul>', text: '- A\n  - A1\n- B' },
    { name: 'table cells are spaced, rows are lines', html: '<table><tr><td>A</td><td>B</td></tr><tr><th>C</th><td>D</td></tr></table>', text: 'A B\nC D' },
    { name: 'head, title, style and script are dropped', html: '<html><head><title>T</title><style>p{}</style></head><body><script>x()</script><p>Body</p></body></html>', text: 'Body' },
    { name: 'content in an unclosed head still shows', html: '<html><head><title>T</title><p>Hello</p>', text: 'Hello' },
    { name: 'comments, conditional ones too, are dropped', html: '<!--[if mso]><p>Outlook only</p><![endif]--><!--[if !mso]><!--><p>Everyone</p><!--<![endif]-->', text: 'Everyone' },
    { name: 'display:none preheader is dropped', html: '<div style="display: none; max-height:0">Preview text&zwnj;&nbsp;</div><p>Hello</p>', text: 'Hello' },
    { name: 'hidden attribute is dropped, nesting respected', html: '<div hidden><div>x</div>y</div>z', text: 'z' },
    { name: 'zero-width characters are removed', html: '<p>A\u200bB&shy;C&#xFEFF;</p>', text: 'ABC' },
    { name: 'pre keeps its whitespace', html: '<p>Code:</p><pre>  a = 1\n  b = 2</pre><p>Done</p>', text: 'Code:\n\n  a = 1\n  b = 2\n\nDone' },
    { name: 'headings are paragraphs', html: '<h1>Title</h1>Text', text: 'Title\n\nText' },
    { name: 'empty input', html: '', text: '' },
    { name: 'only markup', html: '<div><br></div>', text: '' },
  ];
  for (const { name, html, text } of cases) {
    it(name, () => {
      assert.equal(htmlToPlainText(html), text);
    });
  }

  for (const fixture of ['outlook-newsletter', 'gmail-reply', 'no-body-with-head', 'entity-hrefs', 'unsubscribe-footers']) {
    it(`matches the golden text for ${fixture}`, () => {
      const text = htmlToPlainText(readEmailFixture(`${fixture}.html`));
      assert.equal(text, expectedGolden(`${fixture}.txt`, text));
    });
  }
});
