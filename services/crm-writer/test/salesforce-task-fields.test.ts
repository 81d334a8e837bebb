import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseSoql } from '@telltale/testing';
import type { ReplyPayload, SentEmailPayload } from '../src/salesforce/task-fields.mapper';
import {
  buildTaskRecord,
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

describe('buildTaskRecord', () => {
  const sent: SentEmailPayload = {
    kind: 'email_sent',
    subject: 'Pricing',
    from: { address: 'sam@seller.example', name: 'Sam' },
    to: [{ address: 'flynn@buyer.example', name: 'Flynn' }],
    cc: [{ address: 'alan@buyer.example', name: null }],
    messageId: '<m1@seller.example>',
    sequenceId: '7d1c1f7e-1f0e-4b8e-9c59-3f1a8b0e9a11',
    stepNumber: 2,
    sentAt: '2025-03-14T09:30:00.000Z',
  };

  it('writes a sent email as an outbound email Task with its Message-ID, sequence and step, on the matched records', () => {
    assert.deepEqual(buildTaskRecord('email-sent:1', sent, { whoId: '003TT0000000001AAA', whatId: '001TT0000000001AAA', ownerId: '005TT0000000001AAA' }, null), {
      attributes: { type: 'Task' },
      Telltale_Activity_Key__c: 'email-sent:1',
      Status: 'Completed',
      Priority: 'Normal',
      TaskSubtype: 'Email',
      Subject: 'Email: Pricing',
      Description: 'Sent with Telltale from Sam <sam@seller.example> to Flynn <flynn@buyer.example>, alan@buyer.example (cc).\nMessage-ID: <m1@seller.example>',
      ActivityDate: '2025-03-14',
      Telltale_Direction__c: 'Outbound',
      Telltale_Message_Id__c: '<m1@seller.example>',
      Telltale_Sequence__c: '7d1c1f7e-1f0e-4b8e-9c59-3f1a8b0e9a11',
      Telltale_Step__c: 2,
      WhoId: '003TT0000000001AAA',
      WhatId: '001TT0000000001AAA',
      OwnerId: '005TT0000000001AAA',
    });
  });

  it('writes a reply as an inbound Task with the relation of the replier and the step it answers; no subtype for a Task that exists', () => {
    const reply: ReplyPayload = {
      kind: 'reply',
      subject: null,
      snippet: 'Sounds good',
      from: { address: 'alan@buyer.example', name: 'Alan' },
      relation: 'cc',
      inboundMessageId: '<r1@buyer.example>',
      sequenceId: null,
      receivedAt: '2025-03-15T08:00:00.000Z',
    };
    const record = buildTaskRecord('reply:1', reply, { whoId: null, whatId: null, ownerId: null }, { subject: 'Pricing', stepNumber: 2, sequenceId: 'seq' }, { withSubtype: false });
    assert.equal(record.Subject, 'Reply: Pricing');
    assert.equal(record.Description, 'Alan <alan@buyer.example> replied (cc) to an email sent with Telltale.\n\nSounds good');
    assert.equal(record.Telltale_Direction__c, 'Inbound');
    assert.equal(record.Telltale_Reply_Relation__c, 'cc');
    assert.equal(record.Telltale_Step__c, 2);
    assert.equal(record.Telltale_Sequence__c, 'seq');
    for (const absent of ['TaskSubtype', 'WhoId', 'WhatId', 'OwnerId']) assert.equal(absent in record, false, absent);
  });

  it('cuts a long subject to the field length', () => {
    const record = buildTaskRecord('email-sent:2', { ...sent, subject: 'x'.repeat(400) }, { whoId: null, whatId: null, ownerId: null }, null);
    assert.equal(String(record.Subject).length, 255);
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
