import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BadRequestException } from '@nestjs/common';
import { z } from 'zod';
import { parseRequest, textIssues, type RequestIssue } from '../src';

const refused = (fn: () => unknown): { error: string; issues: RequestIssue[] } => {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof BadRequestException);
    return err.getResponse() as { error: string; issues: RequestIssue[] };
  }
  assert.fail('not refused');
};

test('NUL and unpaired surrogates are found at any depth, in values and keys, with their path', () => {
  assert.deepEqual(textIssues({ a: 'fine', b: ['ok', 'x\u0000y'], c: { d: 'é 😀 ok' } }), [{ path: 'b.1', message: 'must not contain the NUL character (U+0000)' }]);
  assert.deepEqual(textIssues({ s: 'a\uD800b' }).map((i) => i.path), ['s']);
  assert.deepEqual(textIssues({ s: '\uDC00' }).map((i) => i.path), ['s']);
  assert.deepEqual(textIssues({ s: '\uD83D\uDE00' }), [], 'a surrogate pair is a character');
  assert.deepEqual(textIssues({ o: { 'k\u0000': 1 } }), [{ path: 'o', message: 'has a field name that must not contain the NUL character (U+0000)' }]);
  assert.deepEqual(textIssues('\u0000'), [{ path: '(body)', message: 'must not contain the NUL character (U+0000)' }]);
  assert.deepEqual(textIssues({ token: 'a\u0000' }, ['query']).map((i) => i.path), ['query.token']);
  assert.deepEqual(textIssues([1, true, null, undefined, 2.5]), []);
});

test('a body nested a million levels deep is walked without overflowing the stack', () => {
  let deep: unknown = 'bottom\u0000';
  for (let i = 0; i < 1_000_000; i += 1) deep = [deep];
  const issues = textIssues(deep);
  assert.equal(issues.length, 1);
  assert.equal(issues[0]!.path.split('.').length, 1_000_000);
});

test('at most 20 issues are reported', () => {
  assert.equal(textIssues(Array.from({ length: 1000 }, () => '\u0000')).length, 20);
});

test('parseRequest refuses NUL in any string field, even one the schema accepts, naming the field', () => {
  const Schema = z.object({ subject: z.string().max(100), to: z.array(z.object({ address: z.string() })) });
  const body = refused(() => parseRequest(Schema, { subject: 'Hi\u0000', to: [{ address: 'a@b.c' }, { address: 'd\u0000@e.f' }] }));
  assert.equal(body.error, 'invalid_request');
  assert.deepEqual(body.issues.map((i) => i.path).sort(), ['subject', 'to.1.address']);
  // Together with the schema's own issues, each field named once.
  const both = refused(() => parseRequest(Schema, { subject: 'x'.repeat(101) + '\u0000', to: 'nope' }));
  assert.deepEqual(both.issues.map((i) => i.path).sort(), ['subject', 'to']);
  // Fields the schema strips are checked too: they reached the service.
  assert.deepEqual(refused(() => parseRequest(Schema.loose(), { subject: 's', to: [], extra: '\u0000' })).issues.map((i) => i.path), ['extra']);
  assert.deepEqual(parseRequest(Schema, { subject: 'Grüße 😀', to: [] }), { subject: 'Grüße 😀', to: [] });
});

test('parseRequest names each issue’s code and limits, so a client words it without parsing the message', () => {
  const Schema = z.object({ name: z.string().min(3).max(10), email: z.email(), days: z.number().max(365), kind: z.enum(['a', 'b']), tags: z.array(z.string()).min(1) }).strict();
  const body = refused(() => parseRequest(Schema, { name: 'x', email: 'nope', days: 400, kind: 'c', tags: [], note: 'Hi\u0000' }));
  const byPath = Object.fromEntries(body.issues.map((i) => [i.path, i]));
  assert.deepEqual({ ...byPath.name, message: undefined }, { path: 'name', message: undefined, code: 'too_small', origin: 'string', minimum: 3, inclusive: true });
  assert.equal(byPath.email?.code, 'invalid_format');
  assert.equal(byPath.email?.format, 'email');
  assert.deepEqual({ ...byPath.days, message: undefined }, { path: 'days', message: undefined, code: 'too_big', origin: 'number', maximum: 365, inclusive: true });
  assert.deepEqual(byPath.kind?.values, ['a', 'b']);
  assert.equal(byPath.tags?.minimum, 1);
  assert.equal(byPath.note?.code, 'invalid_text');
});
