import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { decodeEncodedWords } from '../src/encoded-words';

describe('decodeEncodedWords', () => {
  const cases: { value: string; decoded: string }[] = [
    { value: 'plain text', decoded: 'plain text' },
    { value: '=?utf-8?Q?caf=C3=A9?=', decoded: 'café' },
    { value: '=?UTF-8?B?R3LDvMOfZQ==?=', decoded: 'Grüße' },
    { value: '=?iso-8859-1?q?caf=E9_au_lait?=', decoded: 'café au lait' },
    { value: 'Re: =?utf-8?Q?caf=C3=A9?= meeting', decoded: 'Re: café meeting' },
    // RFC 2047 §6.2: whitespace between adjacent encoded-words disappears.
    { value: '=?utf-8?Q?a?= =?utf-8?Q?b?=', decoded: 'ab' },
    // A character split across two words in the same charset is joined before decoding.
    { value: '=?utf-8?Q?caf=C3?= =?utf-8?Q?=A9?=', decoded: 'café' },
    { value: '=?utf-8*en?Q?hello?=', decoded: 'hello' },
    { value: '=?x-unknown?Q?caf=E9?=', decoded: 'café' },
    { value: '=?utf-8?Q?broken', decoded: '=?utf-8?Q?broken' },
  ];
  for (const testCase of cases) {
    it(`${testCase.value} → ${testCase.decoded}`, () => {
      assert.equal(decodeEncodedWords(testCase.value), testCase.decoded);
    });
  }
});
