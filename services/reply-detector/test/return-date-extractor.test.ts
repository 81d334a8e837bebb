import { test } from 'node:test';
import assert from 'node:assert/strict';
import { extractReturnDate } from '@telltale/replies';

const RECEIVED = '2026-11-24T10:00:00.000Z';

const cases: [string, string | null, string | null, string | null][] = [
  // [body, language, expected, why]
  ['I am out of the office until Monday, December 7.', 'en', '2026-12-07', 'month-day without year'],
  ['Back on 12/03/2026.', 'en', '2026-12-03', 'US month/day/year'],
  ['Back on 03/12/2026 (dd/mm, UK office).', 'en', '2026-12-03', 'explicit dd/mm'],
  ['Je serai absente jusqu\'au 04/12/2026.', 'fr', '2026-12-04', 'day/month outside US English'],
  ['I am away through Dec 4th.', 'en', '2026-12-05', '"through" is inclusive'],
  ['Ich bin bis einschließlich 04.12.2026 nicht im Büro.', 'de', '2026-12-05', 'German inclusive'],
  ['Ab dem 7. Dezember bin ich wieder erreichbar.', 'de', '2026-12-07', 'German month name'],
  ['Regresaré el 7 de diciembre de 2026.', 'es', '2026-12-07', 'Spanish "de"'],
  ['Wracam 7 grudnia 2026.', 'pl', '2026-12-07', 'Polish genitive month'],
  ['Olen poissa 4. joulukuuta asti.', 'fi', '2026-12-04', 'Finnish partitive month'],
  ['12月7日まで不在にしております。', 'ja', '2026-12-07', 'Japanese'],
  ['我将于2026年12月7日返回。', 'zh', '2026-12-07', 'Chinese with year'],
  ['12월 7일에 복귀합니다.', 'ko', '2026-12-07', 'Korean'],
  ['Back 2026-11-30.', null, '2026-11-30', 'ISO'],
  ['Ik ben met vakantie t/m 01-12-2026.', 'nl', '2026-12-02', 'dashed with t/m'],
  ['Out from November 23 to December 1, 2026.', 'en', '2026-12-01', 'a period: the end'],
  ['I will be back on January 5.', 'en', '2027-01-05', 'no year, next occurrence'],
  ['I am travelling with limited access to email.', 'en', null, 'no date'],
  ['Meeting at 14.30 Uhr, call +49 89 1234 5678.', 'de', null, 'times and phone numbers are not dates'],
  ['Back on 5 March 2024.', 'en', null, 'a date in the past is not a return date'],
  ['Thanks.\n\nOn Mon, Dec 14, 2026 at 9:00 AM Dana wrote:\n> see you December 20', 'en', null, 'quoted history is ignored'],
];

for (const [body, language, expected, why] of cases) {
  test(`return date: ${why}`, () => {
    assert.equal(extractReturnDate(body, RECEIVED, language), expected);
  });
}

test('no body, no date', () => {
  assert.equal(extractReturnDate(null, RECEIVED), null);
});
