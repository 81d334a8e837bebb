import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { MailProviderError, classifySmtpReply, mapSmtpError, type MailProviderErrorCode } from '../src';

function nodemailerError(fields: Record<string, unknown>): Error {
  return Object.assign(new Error(String(fields['message'] ?? 'smtp error')), fields);
}

describe('classifySmtpReply', () => {
  const cases: { reply: [number, string]; code: MailProviderErrorCode; retryAfterMs?: number }[] = [
    { reply: [421, '421 4.3.2 Service not available, closing transmission channel'], code: 'TEMPORARY' },
    { reply: [421, '421-4.7.28 Our system has detected an unusual rate of unsolicited mail - gsmtp'], code: 'RATE_LIMITED' },
    { reply: [450, '450 4.2.1 The user you are trying to contact is receiving mail too quickly'], code: 'RATE_LIMITED' },
    { reply: [451, '451 4.3.0 Temporary local problem, please try again later'], code: 'TEMPORARY' },
    { reply: [451, '451 4.7.1 Rate limit exceeded, try again in 30 seconds'], code: 'RATE_LIMITED', retryAfterMs: 30_000 },
    { reply: [452, '452 4.3.1 Insufficient system resources'], code: 'TEMPORARY' },
    { reply: [452, '452 4.2.2 The recipient mailbox is over quota'], code: 'TEMPORARY' },
    { reply: [454, '454 4.7.0 Too many login attempts, please try again later'], code: 'RATE_LIMITED' },
    { reply: [503, '503 5.5.1 Bad sequence of commands'], code: 'TEMPORARY' },
    { reply: [530, '530 5.7.0 Authentication Required'], code: 'AUTH_REVOKED' },
    { reply: [534, '534-5.7.9 Application-specific password required'], code: 'AUTH_REVOKED' },
    { reply: [535, '535 5.7.8 Username and Password not accepted'], code: 'AUTH_REVOKED' },
    { reply: [535, '535 5.7.139 Authentication unsuccessful, SmtpClientAuthentication is disabled for the Tenant'], code: 'AUTH_REVOKED' },
    { reply: [550, '550 5.1.1 The email account that you tried to reach does not exist'], code: 'PERMANENT' },
    { reply: [550, '550 5.4.5 Daily user sending limit exceeded'], code: 'RATE_LIMITED' },
    { reply: [550, '550 5.7.60 SMTP; Client does not have permissions to send as this sender'], code: 'INSUFFICIENT_PERMISSIONS' },
    { reply: [552, '552 5.2.2 The recipient mailbox is full and quota exceeded'], code: 'PERMANENT' },
    { reply: [554, '554 5.2.0 STOREDRV.Submission.Exception:SubmissionQuotaExceededException'], code: 'RATE_LIMITED' },
    { reply: [554, '554 5.7.1 Message rejected as spam'], code: 'PERMANENT' },
    { reply: [250, '250 OK but the client expected a different reply'], code: 'TEMPORARY' },
  ];
  for (const testCase of cases) {
    it(`${testCase.reply[1]} → ${testCase.code}`, () => {
      const verdict = classifySmtpReply(...testCase.reply);
      assert.equal(verdict.code, testCase.code);
      assert.equal(verdict.retryAfterMs, testCase.retryAfterMs);
    });
  }
});

describe('mapSmtpError', () => {
  const cases: { name: string; error: unknown; code: MailProviderErrorCode; providerStatus?: string }[] = [
    { name: 'SMTP reply', error: nodemailerError({ code: 'EENVELOPE', responseCode: 550, response: '550 5.1.1 unknown user', command: 'RCPT TO' }), code: 'PERMANENT', providerStatus: '550' },
    { name: 'auth failure with reply', error: nodemailerError({ code: 'EAUTH', responseCode: 535, response: '535 5.7.8 bad credentials', command: 'AUTH PLAIN' }), code: 'AUTH_REVOKED', providerStatus: '535' },
    { name: 'auth failure without reply', error: nodemailerError({ code: 'EAUTH', message: 'Invalid login' }), code: 'AUTH_REVOKED', providerStatus: 'EAUTH' },
    { name: 'missing credentials', error: nodemailerError({ code: 'ENOAUTH' }), code: 'AUTH_REVOKED' },
    { name: 'connection refused', error: nodemailerError({ code: 'ESOCKET', originalCode: 'ECONNREFUSED' }), code: 'TEMPORARY', providerStatus: 'ESOCKET' },
    { name: 'connection timeout', error: nodemailerError({ code: 'ETIMEDOUT' }), code: 'TEMPORARY' },
    { name: 'connection closed', error: nodemailerError({ code: 'ECONNECTION' }), code: 'TEMPORARY' },
    { name: 'DNS failure', error: nodemailerError({ code: 'EDNS' }), code: 'TEMPORARY' },
    { name: 'plain Node socket error', error: nodemailerError({ code: 'ECONNRESET' }), code: 'TEMPORARY' },
    { name: 'envelope without reply', error: nodemailerError({ code: 'EENVELOPE', message: 'No recipients defined' }), code: 'PERMANENT' },
    { name: 'bad configuration', error: nodemailerError({ code: 'ECONFIG' }), code: 'PERMANENT' },
    { name: 'unknown error', error: new Error('something odd'), code: 'TEMPORARY' },
    { name: 'not an error at all', error: 'string thrown', code: 'TEMPORARY' },
    { name: 'responseCode of the wrong type is ignored', error: nodemailerError({ responseCode: '550', code: 'ETIMEDOUT' }), code: 'TEMPORARY' },
  ];
  for (const testCase of cases) {
    it(testCase.name, () => {
      const mapped = mapSmtpError(testCase.error);
      assert.ok(mapped instanceof MailProviderError);
      assert.equal(mapped.code, testCase.code);
      assert.equal(mapped.provider, 'smtp');
      if (testCase.providerStatus !== undefined) assert.equal(mapped.providerStatus, testCase.providerStatus);
      assert.equal(mapped.cause, testCase.error);
    });
  }

  it('passes a MailProviderError through unchanged', () => {
    const original = new MailProviderError('x', { code: 'RATE_LIMITED', provider: 'smtp', retryAfterMs: 5 });
    assert.equal(mapSmtpError(original), original);
  });

  it('marks only TEMPORARY and RATE_LIMITED as retryable', () => {
    assert.equal(mapSmtpError(nodemailerError({ code: 'ETIMEDOUT' })).retryable, true);
    assert.equal(mapSmtpError(nodemailerError({ responseCode: 550, response: '550 no' })).retryable, false);
  });
});
