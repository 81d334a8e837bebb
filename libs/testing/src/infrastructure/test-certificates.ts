import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface TestCertificateAuthority {
  /** The CA certificate, PEM: what a client trusts (KAFKA_SSL_CA_FILE). */
  caFile: string;
  caPem: string;
  /** A PKCS#12 key store with a server key and its certificate (for `localhost` and 127.0.0.1) signed by the CA. */
  serverKeyStore: string;
  serverKeyStorePassword: string;
}

/**
 * A throwaway certificate authority and one server certificate signed by it, made with the
 * `openssl` command (P-256 keys, valid two days), in `dir`. For tests of TLS clients only.
 */
export async function createTestCertificateAuthority(dir: string, name = 'Telltale test CA'): Promise<TestCertificateAuthority> {
  mkdirSync(dir, { recursive: true });
  const file = (base: string): string => join(dir, base);
  const ecKey = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  const password = randomBytes(12).toString('hex');
  writeFileSync(
    file('server.ext'),
    ['subjectAltName=DNS:localhost,IP:127.0.0.1', 'keyUsage=critical,digitalSignature', 'extendedKeyUsage=serverAuth', ''].join('\n'),
  );
  const steps: string[][] = [
    ['req', '-x509', ...ecKey, '-keyout', file('ca.key'), '-out', file('ca.pem'), '-days', '2', '-subj', `/CN=${name}`,
      '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'],
    ['req', '-new', ...ecKey, '-keyout', file('server.key'), '-out', file('server.csr'), '-subj', '/CN=localhost'],
    ['x509', '-req', '-in', file('server.csr'), '-CA', file('ca.pem'), '-CAkey', file('ca.key'), '-set_serial', `0x${randomBytes(8).toString('hex')}`,
      '-days', '2', '-extfile', file('server.ext'), '-out', file('server.pem')],
    ['pkcs12', '-export', '-in', file('server.pem'), '-inkey', file('server.key'), '-certfile', file('ca.pem'), '-name', 'server',
      '-out', file('server.p12'), '-passout', `pass:${password}`],
  ];
  for (const args of steps) {
    try {
      await run('openssl', args);
    } catch (error) {
      const stderr = typeof error === 'object' && error !== null && 'stderr' in error ? String(error.stderr) : '';
      const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
      throw new Error(`openssl ${args[0]} failed (the openssl command makes the test certificates): ${reason}\n${stderr}`);
    }
  }
  return { caFile: file('ca.pem'), caPem: readFileSync(file('ca.pem'), 'utf8'), serverKeyStore: file('server.p12'), serverKeyStorePassword: password };
}
