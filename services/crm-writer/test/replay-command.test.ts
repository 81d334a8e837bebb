import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseReplayArgs } from '../src/replay-dead-letters';

describe('npm run crm:replay arguments', () => {
  it('takes an organisation and activity keys, or nothing (every dead letter)', () => {
    assert.deepEqual(parseReplayArgs([]), {});
    assert.deepEqual(parseReplayArgs(['--org', '6f1c1f7e-1f0e-4b8e-9c59-3f1a8b0e9a11']), { orgId: '6f1c1f7e-1f0e-4b8e-9c59-3f1a8b0e9a11' });
    assert.deepEqual(parseReplayArgs(['--key', 'email-sent:1', '--key', 'reply:2']), { keys: ['email-sent:1', 'reply:2'] });
  });

  for (const bad of [['--org', 'acme'], ['--key'], ['--key', "x'; DROP TABLE"], ['--everything', 'now']]) {
    it(`refuses ${bad.join(' ')}`, () => {
      assert.throws(() => parseReplayArgs(bad), /bad argument/);
    });
  }
});
