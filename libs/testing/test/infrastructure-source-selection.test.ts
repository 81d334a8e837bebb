import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import type { ComponentSource } from '../src';
import {
  chooseSource,
  needsContainerProbe,
  parseProvisioningPreference,
  type ProvisioningPreference,
} from '../src/infrastructure/source-selection';

describe('chooseSource', () => {
  const cases: { fromEnv: boolean; preference: ProvisioningPreference; runtime: boolean; expected: ComponentSource }[] = [
    { fromEnv: true, preference: 'auto', runtime: true, expected: 'env' },
    { fromEnv: true, preference: 'container', runtime: false, expected: 'env' },
    { fromEnv: true, preference: 'local', runtime: true, expected: 'env' },
    { fromEnv: false, preference: 'auto', runtime: true, expected: 'container' },
    { fromEnv: false, preference: 'auto', runtime: false, expected: 'local' },
    { fromEnv: false, preference: 'local', runtime: true, expected: 'local' },
    { fromEnv: false, preference: 'container', runtime: true, expected: 'container' },
  ];
  for (const { fromEnv, preference, runtime, expected } of cases) {
    it(`env ${fromEnv}, ${preference}, runtime ${runtime} → ${expected}`, () => {
      assert.equal(chooseSource(fromEnv, preference, runtime), expected);
    });
  }

  it('refuses a forced container source without a runtime', () => {
    assert.throws(() => chooseSource(false, 'container', false), /no container runtime/);
  });
});

describe('needsContainerProbe', () => {
  const all = { postgres: true, kafka: true, mail: true };
  const cases: { name: string; fromEnv: typeof all; preference: ProvisioningPreference; expected: boolean }[] = [
    { name: 'everything from env', fromEnv: all, preference: 'auto', expected: false },
    { name: 'mail missing', fromEnv: { ...all, mail: false }, preference: 'auto', expected: true },
    { name: 'forced local', fromEnv: { ...all, kafka: false }, preference: 'local', expected: false },
    { name: 'forced container', fromEnv: { ...all, postgres: false }, preference: 'container', expected: true },
  ];
  for (const testCase of cases) {
    it(testCase.name, () => {
      assert.equal(needsContainerProbe(testCase.fromEnv, testCase.preference), testCase.expected);
    });
  }
});

describe('parseProvisioningPreference', () => {
  const cases: { value: string | undefined; expected: ProvisioningPreference }[] = [
    { value: undefined, expected: 'auto' },
    { value: '', expected: 'auto' },
    { value: 'AUTO', expected: 'auto' },
    { value: ' local ', expected: 'local' },
    { value: 'container', expected: 'container' },
  ];
  for (const { value, expected } of cases) {
    it(`${JSON.stringify(value)} → ${expected}`, () => {
      assert.equal(parseProvisioningPreference(value), expected);
    });
  }

  it('rejects anything else', () => {
    assert.throws(() => parseProvisioningPreference('docker'), /TELLTALE_INFRASTRUCTURE/);
  });
});
