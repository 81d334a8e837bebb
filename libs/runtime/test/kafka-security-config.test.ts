import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { z } from 'zod';
import { ConfigError, baseConfigShape, kafkaClientSecurity, kafkaSecurityProblems, loadConfig } from '../src';

// The Kafka variables as every service reads them (baseConfigShape), checked together by kafkaClientSecurity.
const Config = z.object(baseConfigShape);
const SECRET = 'correct-horse-battery-staple';
const base = { DATABASE_URL: 'postgres://x@localhost/db', KAFKA_BROKERS: 'kafka:9093' };
const load = (env: Record<string, string>) => loadConfig(Config, { ...base, ...env });

const files: Record<string, string> = {
  '/secrets/password': `${SECRET}\n`,
  '/secrets/empty': '\n',
  '/certs/ca.pem': '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n',
  '/certs/not-a-cert': 'hello',
};
const readFile = (path: string): string => {
  const content = files[path];
  if (content === undefined) throw Object.assign(new Error(`ENOENT: no such file, open '${path}'`), { code: 'ENOENT' });
  return content;
};

function problemsOf(env: Record<string, string>): string[] {
  try {
    kafkaClientSecurity(load(env), readFile);
  } catch (err) {
    assert.ok(err instanceof ConfigError, `a ConfigError, not ${String(err)}`);
    for (const problem of err.problems) assert.ok(!problem.includes(SECRET), `the password never appears: ${problem}`);
    return err.problems;
  }
  return [];
}

describe('Kafka TLS and SASL configuration', () => {
  test('nothing set: plaintext and unauthenticated', () => {
    assert.deepEqual(kafkaClientSecurity(load({}), readFile), {});
  });

  test('SCRAM with the password in the environment', () => {
    const security = kafkaClientSecurity(load({ KAFKA_SASL_MECHANISM: 'scram-sha-512', KAFKA_SASL_USERNAME: 'telltale', KAFKA_SASL_PASSWORD: SECRET }), readFile);
    assert.deepEqual(security, { sasl: { mechanism: 'scram-sha-512', username: 'telltale', password: SECRET } });
  });

  test('the password from a mounted file, without the newline a Secret written with echo ends in', () => {
    const security = kafkaClientSecurity(load({ KAFKA_SASL_MECHANISM: 'scram-sha-256', KAFKA_SASL_USERNAME: 'telltale', KAFKA_SASL_PASSWORD_FILE: '/secrets/password' }), readFile);
    assert.equal(security.sasl?.password, SECRET);
  });

  test('TLS with a CA file, with the system CAs, and without verification', () => {
    assert.deepEqual(kafkaClientSecurity(load({ KAFKA_SSL: 'true', KAFKA_SSL_CA_FILE: '/certs/ca.pem' }), readFile).ssl, {
      ca: files['/certs/ca.pem'],
      rejectUnauthorized: true,
    });
    assert.deepEqual(kafkaClientSecurity(load({ KAFKA_SSL: 'true' }), readFile).ssl, { rejectUnauthorized: true });
    assert.deepEqual(kafkaClientSecurity(load({ KAFKA_SSL: 'true', KAFKA_SSL_REJECT_UNAUTHORIZED: 'false' }), readFile).ssl, { rejectUnauthorized: false });
  });

  const refused: Array<[string, Record<string, string>, RegExp]> = [
    ['a mechanism without a username', { KAFKA_SASL_MECHANISM: 'scram-sha-512', KAFKA_SASL_PASSWORD: SECRET }, /^KAFKA_SASL_USERNAME: required when KAFKA_SASL_MECHANISM is scram-sha-512$/],
    ['a mechanism without a password', { KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_USERNAME: 'telltale' }, /^KAFKA_SASL_PASSWORD: required \(or KAFKA_SASL_PASSWORD_FILE\)/],
    ['both a password and a password file', { KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD: SECRET, KAFKA_SASL_PASSWORD_FILE: '/secrets/password' }, /^KAFKA_SASL_PASSWORD_FILE: set only one/],
    ['credentials without a mechanism', { KAFKA_SASL_USERNAME: 'telltale', KAFKA_SASL_PASSWORD: SECRET }, /^KAFKA_SASL_MECHANISM: required when KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD are set/],
    ['a CA file without TLS', { KAFKA_SSL_CA_FILE: '/certs/ca.pem' }, /^KAFKA_SSL_CA_FILE: set, but KAFKA_SSL is not true/],
    ['a password file that cannot be read', { KAFKA_SASL_MECHANISM: 'scram-sha-512', KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD_FILE: '/secrets/missing' }, /^KAFKA_SASL_PASSWORD_FILE: cannot read \/secrets\/missing \(ENOENT\)$/],
    ['an empty password file', { KAFKA_SASL_MECHANISM: 'scram-sha-512', KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD_FILE: '/secrets/empty' }, /^KAFKA_SASL_PASSWORD_FILE: \/secrets\/empty is empty$/],
    ['a CA file that is no certificate', { KAFKA_SSL: 'true', KAFKA_SSL_CA_FILE: '/certs/not-a-cert' }, /^KAFKA_SSL_CA_FILE: \/certs\/not-a-cert holds no PEM certificate/],
  ];
  for (const [what, env, expected] of refused) {
    test(`refused: ${what}, naming the variable`, () => {
      const problems = problemsOf(env);
      assert.equal(problems.length, 1, problems.join('; '));
      assert.match(problems[0]!, expected);
    });
  }

  test('an unknown mechanism is refused by loadConfig, without echoing the password', () => {
    assert.throws(
      () => load({ KAFKA_SASL_MECHANISM: 'gssapi', KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD: SECRET }),
      (err: unknown) => err instanceof ConfigError && /^KAFKA_SASL_MECHANISM: /.test(err.problems[0]!) && !err.message.includes(SECRET),
    );
  });

  test('kafkaSecurityProblems lists every problem at once', () => {
    const config = load({ KAFKA_SASL_MECHANISM: 'scram-sha-512', KAFKA_SSL_CA_FILE: '/certs/ca.pem' });
    assert.deepEqual(kafkaSecurityProblems(config).map((p) => p.split(':')[0]), ['KAFKA_SSL_CA_FILE', 'KAFKA_SASL_USERNAME', 'KAFKA_SASL_PASSWORD']);
  });
});
