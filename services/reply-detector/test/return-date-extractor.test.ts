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
  // Issue 15: as people write dates in each language.
  ['Regreso el lunes 14.', 'es', '2026-12-14', 'a weekday and a day without month: the month where it fits'],
  ['Je serai de retour le lundi 4.', 'fr', '2027-01-04', 'Monday the 4th is in January, not on Friday 4 December'],
  ["I'm out until the 14th.", 'en', '2026-12-14', 'English "the 14th"'],
  ['There are 3 of us.', 'en', null, 'a bare number is no day'],
  ['Back on December 1. It is the 21st year of our fair.', 'en', '2026-12-01', '"the 21st" without a word that introduces a date is no day'],
  ['I am away and back on the 7th.', 'en', '2026-12-07', '"on the 7th"'],
  ['Back December 1. On Monday 3 people join us.', 'en', '2026-12-01', 'a weekday and a number with no such day near is no date'],
  ['Я в отпуске с 7 по 18 декабря.', 'ru', '2026-12-19', 'Russian "по" is inclusive'],
  ['Я в отпуске до 18 декабря.', 'ru', '2026-12-18', 'Russian "до" is the date itself'],
  ['December 14-ig házon kívül vagyok.', 'hu', '2026-12-14', 'Hungarian month-day with a suffix'],
  ['12.14-én visszatérek.', 'hu', '2026-12-14', 'Hungarian numeric month-first'],
  ['12/14まで不在です。', 'ja', '2026-12-14', 'Japanese numeric month-first'],
  ['2026. 12. 14.까지 휴가입니다.', 'ko', '2026-12-14', 'Korean year-first with spaces'],
  ['Iki gruodžio 14 d. nesu biure.', 'lt', '2026-12-14', 'Lithuanian genitive month first'],
  ['Olen eemal kuni 14. detsembrini (k.a).', 'et', '2026-12-15', 'Estonian terminative case and "k.a"'],
  ['Vraćam se 14. listopada.', 'hr', '2027-10-14', 'Croatian listopad is October'],
  ['Wracam 14 listopada.', 'pl', '2027-11-14', 'Polish listopad is November (a date just past means next year)'],
  ['أنا في إجازة حتى ١٤ ديسمبر.', 'ar', '2026-12-14', 'Arabic-Indic digits'],
  ['אני בחופשה עד ה-14 בדצמבר.', 'he', '2026-12-14', 'Hebrew month with its ב prefix'],
  ['मैं १४ दिसंबर तक छुट्टी पर हूँ।', 'hi', '2026-12-14', 'Devanagari digits'],
  ["Jien barra sal-14 ta' Diċembru.", 'mt', '2026-12-14', "Maltese ta'"],
  ['Θα απουσιάζω έως και τις 15/12.', 'el', '2026-12-16', 'Greek "έως και" is inclusive'],
  ['Zpět budu 21. 12.\n\nMaja', 'cs', '2026-12-21', 'a date does not run on into the signature (Maja is also May)'],
  ['Version 2026.01.05 is out; back 2026.12.03.', 'de', '2026-12-03', 'a year-first date is not read again as 01.05'],
];

for (const [body, language, expected, why] of cases) {
  test(`return date: ${why}`, () => {
    assert.equal(extractReturnDate(body, RECEIVED, language), expected);
  });
}

test('no body, no date', () => {
  assert.equal(extractReturnDate(null, RECEIVED), null);
});
