import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkTemplate, renderStep } from '../src/sequences/step-template';

/**
 * The template engine's limits throw its AssertionError unwrapped. A template over them is the
 * template's fault: a problem the caller is told about (400 on save, a pause at send time), never an
 * exception (the API fuzz sent a ~1 MB step body and got a 500).
 */
describe('step templates over the engine limits', () => {
  it('a body over the parse limit is a syntax problem naming the field, not an exception', () => {
    const problem = checkTemplate('html', `<p>${'x'.repeat(1_000_001)}</p>`);
    assert.ok(problem, 'a problem is reported');
    assert.equal(problem.field, 'html');
    assert.match(problem.message, /limit exceeded/);
  });

  it('a template that renders past the time or memory limit fails its render, not the caller', () => {
    const outcome = renderStep({ subject: null, html: `{% for i in (1..100000000) %}{{ i }}{% endfor %}`, text: null }, {});
    assert.equal(outcome.ok, false);
    assert.ok(!outcome.ok && outcome.problem === 'render_failed', JSON.stringify(outcome).slice(0, 300));
  });

  it('an ordinary template still parses and renders', () => {
    assert.equal(checkTemplate('html', '<p>Hi {{ first_name | default: "there" }}</p>'), null);
    const outcome = renderStep({ subject: 'Hello {{ first_name }}', html: '<p>Hi {{ first_name }}</p>', text: null }, { first_name: 'Flynn' });
    assert.deepEqual(outcome, { ok: true, content: { subject: 'Hello Flynn', html: '<p>Hi Flynn</p>', text: null } });
  });
});
