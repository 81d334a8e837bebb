import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MailProviderError, type MailProviderErrorCode } from '../src';
import { MessageFetchFailures } from '../src/message-fetch-failures';

const error = (code: MailProviderErrorCode, providerStatus?: string): MailProviderError =>
  new MailProviderError('x', { code, provider: 'gmail', ...(providerStatus === undefined ? {} : { providerStatus }) });

test('a refusal gives the message up at once; five 5xx answers in a row do; a success in between starts over', () => {
  const failures = new MessageFetchFailures(5);
  assert.match(failures.giveUp('a', error('PERMANENT', '400 failedprecondition'))!, /refused .*400 failedprecondition/);
  for (let i = 0; i < 4; i += 1) assert.equal(failures.giveUp('b', error('TEMPORARY', '500 backenderror')), null);
  failures.succeeded('b');
  for (let i = 0; i < 4; i += 1) assert.equal(failures.giveUp('b', error('TEMPORARY', '503')), null);
  assert.match(failures.giveUp('b', error('TEMPORARY', '503'))!, /5 times in a row \(503\)/);
});

test('an outage never makes mail unreadable: network errors, throttling and revoked access fail the page as before', () => {
  const failures = new MessageFetchFailures(2);
  for (let i = 0; i < 10; i += 1) {
    assert.equal(failures.giveUp('c', error('TEMPORARY', 'ECONNRESET')), null);
    assert.equal(failures.giveUp('c', error('TEMPORARY')), null);
    assert.equal(failures.giveUp('c', error('RATE_LIMITED', '429 ratelimitexceeded')), null);
    assert.equal(failures.giveUp('c', error('AUTH_REVOKED', '401')), null);
  }
});
