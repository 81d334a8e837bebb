import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { parseMessageIdList } from '../src';

describe('parseMessageIdList', () => {
  const cases: { value: string | null; ids: string[] }[] = [
    { value: null, ids: [] },
    { value: '', ids: [] },
    { value: '<a@x>', ids: ['<a@x>'] },
    { value: '<a@x> <b@y>', ids: ['<a@x>', '<b@y>'] },
    { value: '<a@x>\r\n <b@y>\r\n\t<c@z>', ids: ['<a@x>', '<b@y>', '<c@z>'] },
    { value: '<a@x>,<b@y>', ids: ['<a@x>', '<b@y>'] },
    { value: '<a@x> <b@y> <a@x>', ids: ['<a@x>', '<b@y>'] },
    { value: 'a@x', ids: ['<a@x>'] },
    { value: 'a@x, b@y', ids: ['<a@x>', '<b@y>'] },
    { value: '<very-long-id-folded\r\n  -across-lines@x>', ids: ['<very-long-id-folded-across-lines@x>'] },
    { value: '<a@x> (Jane\'s message of "Mon, 1 Jan" <jane@example.com>)', ids: ['<a@x>'] },
    { value: 'Your message of Mon, 1 Jan 2024', ids: [] },
    { value: '<>', ids: [] },
    { value: '<CAJx9v2=Qm7x+K1/pL8w@mail.gmail.com>', ids: ['<CAJx9v2=Qm7x+K1/pL8w@mail.gmail.com>'] },
  ];
  for (const testCase of cases) {
    it(`${JSON.stringify(testCase.value)} → ${JSON.stringify(testCase.ids)}`, () => {
      assert.deepEqual(parseMessageIdList(testCase.value), testCase.ids);
    });
  }
});
