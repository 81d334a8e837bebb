import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { readEnvEndpoints, type EnvEndpoints } from '../src/infrastructure/env-endpoints';

describe('readEnvEndpoints', () => {
  const cases: { name: string; env: Record<string, string>; expected: EnvEndpoints }[] = [
    { name: 'nothing set', env: {}, expected: {} },
    { name: 'blank values count as unset', env: { DATABASE_URL: '  ', KAFKA_BROKERS: '' }, expected: {} },
    {
      name: 'database URL',
      env: { DATABASE_URL: 'postgres://u:p@db.internal:5432/telltale' },
      expected: { postgres: { databaseUrl: 'postgres://u:p@db.internal:5432/telltale' } },
    },
    {
      name: 'postgresql:// scheme',
      env: { DATABASE_URL: 'postgresql://u@127.0.0.1/x' },
      expected: { postgres: { databaseUrl: 'postgresql://u@127.0.0.1/x' } },
    },
    {
      name: 'brokers with spaces and a trailing comma',
      env: { KAFKA_BROKERS: ' k1:9092, k2:9093 ,' },
      expected: { kafka: { brokers: ['k1:9092', 'k2:9093'] } },
    },
    {
      name: 'all three mail variables',
      env: { MAIL_HOST: '127.0.0.1', SMTP_PORT: '3025', IMAP_PORT: '3143' },
      expected: { mail: { host: '127.0.0.1', smtpPort: 3025, imapPort: 3143 } },
    },
  ];
  for (const testCase of cases) {
    it(testCase.name, () => {
      assert.deepEqual(readEnvEndpoints(testCase.env), testCase.expected);
    });
  }

  const failures: { name: string; env: Record<string, string>; message: RegExp }[] = [
    { name: 'not a postgres URL', env: { DATABASE_URL: 'mysql://x@y/z' }, message: /DATABASE_URL is invalid/ },
    { name: 'not a URL at all', env: { DATABASE_URL: 'localhost:5432' }, message: /DATABASE_URL is invalid/ },
    { name: 'broker without port', env: { KAFKA_BROKERS: 'kafka' }, message: /KAFKA_BROKERS is invalid/ },
    { name: 'only commas', env: { KAFKA_BROKERS: ',,' }, message: /KAFKA_BROKERS is invalid/ },
    { name: 'partial mail set', env: { MAIL_HOST: 'h', SMTP_PORT: '25' }, message: /missing IMAP_PORT/ },
    { name: 'port out of range', env: { MAIL_HOST: 'h', SMTP_PORT: '70000', IMAP_PORT: '143' }, message: /SMTP_PORT is invalid/ },
    { name: 'port not a number', env: { MAIL_HOST: 'h', SMTP_PORT: '25', IMAP_PORT: 'imap' }, message: /IMAP_PORT is invalid/ },
  ];
  for (const failure of failures) {
    it(`rejects: ${failure.name}`, () => {
      assert.throws(() => readEnvEndpoints(failure.env), failure.message);
    });
  }
});
