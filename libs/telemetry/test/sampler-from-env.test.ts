import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ROOT_CONTEXT, SpanKind, TraceFlags, trace } from '@opentelemetry/api';
import { SamplingDecision } from '@opentelemetry/sdk-trace';
import { samplerFromEnv } from '../src';

// The ratio sampler keeps a trace when the XOR of its id's four 32-bit words is below ratio × 2^32.
const KEPT_AT_A_TENTH = '00000000000000000000000000000001';
const DROPPED_AT_A_TENTH = 'ffffffff000000000000000000000000';
const decide = (sampler: ReturnType<typeof samplerFromEnv>, traceId: string, parentSampled?: boolean): SamplingDecision => {
  const parent = parentSampled === undefined ? ROOT_CONTEXT : trace.setSpanContext(ROOT_CONTEXT, { traceId, spanId: '0000000000000001', traceFlags: parentSampled ? TraceFlags.SAMPLED : TraceFlags.NONE, isRemote: true });
  return sampler!.shouldSample(parent, traceId, 'span', SpanKind.SERVER, {}, []).decision;
};

test('no OTEL_TRACES_SAMPLER: the SDK default (parent-based, always on)', () => {
  assert.equal(samplerFromEnv({}), undefined);
  assert.equal(samplerFromEnv({ OTEL_TRACES_SAMPLER: ' ' }), undefined);
});

test('each sampler the specification names behaves as named', () => {
  assert.equal(decide(samplerFromEnv({ OTEL_TRACES_SAMPLER: 'always_on' }), DROPPED_AT_A_TENTH), SamplingDecision.RECORD_AND_SAMPLED);
  assert.equal(decide(samplerFromEnv({ OTEL_TRACES_SAMPLER: 'always_off' }), DROPPED_AT_A_TENTH), SamplingDecision.NOT_RECORD);
  const tenth = samplerFromEnv({ OTEL_TRACES_SAMPLER: 'traceidratio', OTEL_TRACES_SAMPLER_ARG: '0.1' });
  assert.equal(decide(tenth, KEPT_AT_A_TENTH), SamplingDecision.RECORD_AND_SAMPLED);
  assert.equal(decide(tenth, DROPPED_AT_A_TENTH), SamplingDecision.NOT_RECORD);
  const parentOff = samplerFromEnv({ OTEL_TRACES_SAMPLER: 'parentbased_always_off' });
  assert.equal(decide(parentOff, DROPPED_AT_A_TENTH), SamplingDecision.NOT_RECORD, 'a root span');
  assert.equal(decide(parentOff, DROPPED_AT_A_TENTH, true), SamplingDecision.RECORD_AND_SAMPLED, 'a sampled parent is followed');
  const parentOn = samplerFromEnv({ OTEL_TRACES_SAMPLER: 'parentbased_always_on' });
  assert.equal(decide(parentOn, DROPPED_AT_A_TENTH, false), SamplingDecision.NOT_RECORD, 'an unsampled parent is followed');
  const parentRatio = samplerFromEnv({ OTEL_TRACES_SAMPLER: 'parentbased_traceidratio', OTEL_TRACES_SAMPLER_ARG: '0' });
  assert.equal(decide(parentRatio, KEPT_AT_A_TENTH), SamplingDecision.NOT_RECORD);
  assert.equal(decide(parentRatio, KEPT_AT_A_TENTH, true), SamplingDecision.RECORD_AND_SAMPLED);
});

test('an unknown sampler or a bad ratio stops start-up, naming the variable', () => {
  assert.throws(() => samplerFromEnv({ OTEL_TRACES_SAMPLER: 'sometimes' }), /OTEL_TRACES_SAMPLER: "sometimes"/);
  assert.throws(() => samplerFromEnv({ OTEL_TRACES_SAMPLER: 'traceidratio', OTEL_TRACES_SAMPLER_ARG: '1.5' }), /OTEL_TRACES_SAMPLER_ARG: "1.5"/);
  assert.throws(() => samplerFromEnv({ OTEL_TRACES_SAMPLER: 'traceidratio', OTEL_TRACES_SAMPLER_ARG: 'half' }), /OTEL_TRACES_SAMPLER_ARG/);
});
