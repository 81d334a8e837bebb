import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestCertificates {
  /** PEM of the test CA: trust it explicitly (https.Agent `ca`), never globally. */
  ca: string;
  key: string;
  cert: string;
}

/**
 * A throw-away CA and a server certificate for 127.0.0.1/localhost, made with the openssl CLI.
 * Node cannot mint X.509 certificates itself, and NODE_EXTRA_CA_CERTS is read only at start-up,
 * so tests pass this CA to the client they build instead.
 */
export function createTestCertificates(hostNames: string[] = ['localhost']): TestCertificates {
  const dir = mkdtempSync(join(tmpdir(), 'telltale-ca-'));
  const run = (args: string[]): void => void execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });
  try {
    run(['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=Telltale Test CA', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
    run(['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=graph.test']);
    const names = ['IP:127.0.0.1', ...hostNames.map((h) => `DNS:${h}`)].join(',');
    writeFileSync(join(dir, 'ext.cnf'), `subjectAltName=${names}\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n`);
    run(['x509', '-req', '-in', 'server.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.pem', '-days', '2', '-extfile', 'ext.cnf']);
    return { ca: readFileSync(join(dir, 'ca.pem'), 'utf8'), key: readFileSync(join(dir, 'server.key'), 'utf8'), cert: readFileSync(join(dir, 'server.pem'), 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
