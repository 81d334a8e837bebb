import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseSoql } from '@telltale/testing';
import {
  buildTaskFields,
  InvalidActivityError,
  parseTaskActivity,
  soqlStringLiteral,
  truncate,
  type TaskActivity,
} from '../src/salesforce';

const base: TaskActivity = {
  activityKey: 'reply:42',
  whoEmail: 'dana@buyer.example',
  subject: 'Re: Pricing',
  description: 'Dana replied.',
  activityDate: '2025-03-14',
  status: 'Completed',
  taskSubtype: 'Email',
};

describe('soqlStringLiteral', () => {
  const cases: Array<[string, string]> = [
    ['plain@example.com', "'plain@example.com'"],
    ["o'hara@example.com", "'o\\'hara@example.com'"],
    ['back\\slash', "'back\\\\slash'"],
    ['line\nbreak\ttab', "'line\\nbreak\\ttab'"],
    ['say "hi"', "'say \\\"hi\\\"'"],
    ["' OR Email != null OR Email = '", "'\\' OR Email != null OR Email = \\''"],
  ];
  for (const [input, expected] of cases) {
    it(JSON.stringify(input), () => {
      assert.equal(soqlStringLiteral(input), expected);
      // Whatever the input, the literal reads back as exactly that text.
      const query = parseSoql(`SELECT Id FROM Contact WHERE Email = ${soqlStringLiteral(input)}`);
      assert.deepEqual(query.where, { kind: 'compare', field: 'Email', operator: '=', value: { kind: 'string', value: input } });
    });
  }
});

describe('buildTaskFields', () => {
  it('maps the activity, the Who and the owner', () => {
    assert.deepEqual(buildTaskFields(base, '003TT0000000001AAA', '005TT0000000001AAA'), {
      Telltale_Activity_Key__c: 'reply:42',
      Subject: 'Re: Pricing',
      Description: 'Dana replied.',
      ActivityDate: '2025-03-14',
      Status: 'Completed',
      TaskSubtype: 'Email',
      WhoId: '003TT0000000001AAA',
      OwnerId: '005TT0000000001AAA',
    });
  });

  it('leaves WhoId and OwnerId out when unknown, so Salesforce defaults them', () => {
    const fields = buildTaskFields(base, null, null);
    assert.equal('WhoId' in fields, false);
    assert.equal('OwnerId' in fields, false);
  });
});

describe('truncate', () => {
  const cases: Array<[string, number, string]> = [
    ['short', 10, 'short'],
    ['exactly', 7, 'exactly'],
    ['too long by far', 8, 'too lon…'],
    ['ab😀cd', 4, 'ab…'],
  ];
  for (const [text, max, expected] of cases) {
    it(`${JSON.stringify(text)} to ${max}`, () => {
      const out = truncate(text, max);
      assert.equal(out, expected);
      assert.ok(out.length <= max);
    });
  }
});

describe('parseTaskActivity', () => {
  const invalid: Array<[string, Partial<TaskActivity>]> = [
    ['key with a slash', { activityKey: 'email-sent/1' }],
    ['key with a dot', { activityKey: 'reply:1.xml' }],
    ['not an email', { whoEmail: 'dana' }],
    ['not a date', { activityDate: '2025-02-30' }],
    ['empty subject', { subject: '' }],
  ];
  for (const [name, change] of invalid) {
    it(`rejects ${name}`, () => {
      assert.throws(() => parseTaskActivity({ ...base, ...change }), InvalidActivityError);
    });
  }

  it('accepts a well-formed activity', () => {
    assert.deepEqual(parseTaskActivity(base), base);
  });
});
