import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { AuthenticationFailure } from 'imapflow';

import { MailProviderError, classifyImapFailure, mapImapError, type ImapFailureFacts, type MailProviderErrorCode } from '../src';

describe('classifyImapFailure', () => {
  const cases: { facts: ImapFailureFacts; code: MailProviderErrorCode }[] = [
    { facts: { authenticationFailed: true }, code: 'AUTH_REVOKED' },
    { facts: { authenticationFailed: true, serverResponseCode: 'AUTHENTICATIONFAILED' }, code: 'AUTH_REVOKED' },
    { facts: { authenticationFailed: true, serverResponseCode: 'UNAVAILABLE' }, code: 'TEMPORARY' },
    { facts: { responseStatus: 'NO', serverResponseCode: 'EXPIRED' }, code: 'AUTH_REVOKED' },
    { facts: { responseStatus: 'NO', serverResponseCode: 'NOPERM' }, code: 'INSUFFICIENT_PERMISSIONS' },
    { facts: { responseStatus: 'NO', serverResponseCode: 'LIMIT' }, code: 'RATE_LIMITED' },
    { facts: { responseStatus: 'NO', serverResponseCode: 'THROTTLED' }, code: 'RATE_LIMITED' },
    { facts: { responseStatus: 'NO', serverResponseCode: 'NONEXISTENT' }, code: 'PERMANENT' },
    { facts: { responseStatus: 'NO', serverResponseCode: 'inuse' }, code: 'TEMPORARY' },
    { facts: { responseStatus: 'NO' }, code: 'TEMPORARY' },
    { facts: { responseStatus: 'BAD' }, code: 'PERMANENT' },
    { facts: { code: 'ETHROTTLE' }, code: 'RATE_LIMITED' },
    { facts: { mailboxMissing: true, responseStatus: 'NO' }, code: 'PERMANENT' },
    { facts: { code: 'NoConnection' }, code: 'TEMPORARY' },
    { facts: { code: 'EConnectionClosed' }, code: 'TEMPORARY' },
    { facts: { code: 'CONNECT_TIMEOUT' }, code: 'TEMPORARY' },
    { facts: { code: 'ECONNREFUSED' }, code: 'TEMPORARY' },
    { facts: { code: 'ParserError11' }, code: 'TEMPORARY' },
    { facts: { tlsFailed: true }, code: 'TEMPORARY' },
    { facts: { code: 'MissingServerExtension' }, code: 'PERMANENT' },
    { facts: {}, code: 'TEMPORARY' },
  ];
  for (const testCase of cases) {
    it(`${JSON.stringify(testCase.facts)} → ${testCase.code}`, () => {
      assert.equal(classifyImapFailure(testCase.facts), testCase.code);
    });
  }
});

describe('mapImapError', () => {
  it('maps imapflow AuthenticationFailure to AUTH_REVOKED', () => {
    const failure = Object.assign(new AuthenticationFailure('Authentication failed'), { serverResponseCode: 'AUTHENTICATIONFAILED' });
    const mapped = mapImapError(failure);
    assert.equal(mapped.code, 'AUTH_REVOKED');
    assert.equal(mapped.provider, 'imap');
    assert.equal(mapped.providerStatus, 'AUTHENTICATIONFAILED');
  });

  it('takes the wait of an ETHROTTLE error from throttleReset', () => {
    const mapped = mapImapError(Object.assign(new Error('throttled'), { code: 'ETHROTTLE', throttleReset: 12_000 }));
    assert.equal(mapped.code, 'RATE_LIMITED');
    assert.equal(mapped.retryAfterMs, 12_000);
  });

  it('reads a wait from the response text of a LIMIT refusal', () => {
    const mapped = mapImapError(
      Object.assign(new Error('Command failed'), { responseStatus: 'NO', serverResponseCode: 'LIMIT', responseText: 'Too many commands, try again in 2 minutes' }),
    );
    assert.equal(mapped.code, 'RATE_LIMITED');
    assert.equal(mapped.retryAfterMs, 120_000);
  });

  it('keeps the original error as cause and passes MailProviderError through', () => {
    const original = new Error('socket hang up');
    assert.equal(mapImapError(original).cause, original);
    const already = new MailProviderError('x', { code: 'PERMANENT', provider: 'imap' });
    assert.equal(mapImapError(already), already);
  });

  it('ignores fields of the wrong type instead of throwing', () => {
    const mapped = mapImapError(Object.assign(new Error('odd'), { authenticationFailed: 'yes', code: 42 }));
    assert.equal(mapped.code, 'TEMPORARY');
  });
});
