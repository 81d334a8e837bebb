import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { ScramUser } from './kafka-config';
import { startLocalKafka } from './kafka.local';
import { findFreePort, LOOPBACK } from './free-port';
import { ensureMavenComponent } from './maven-component';
import { findRepoRoot, repoPaths } from './repo-paths';
import { createTestCertificateAuthority, type TestCertificateAuthority } from './test-certificates';

export type { ScramUser } from './kafka-config';

export interface SecuredKafka {
  /** SASL_PLAINTEXT (SCRAM-SHA-256 and SCRAM-SHA-512). */
  saslPlaintextBrokers: string[];
  /** SASL_SSL with the same users; the broker's certificate chains to `ca`. Present when started with `tls`. */
  saslSslBrokers?: string[];
  ca?: TestCertificateAuthority;
  stop(): Promise<void>;
}

/**
 * A Kafka broker of its own (the same Apache Kafka 4 as `npm test`'s, on free ports, data in
 * `dataDir`) that lets no one in without a SCRAM password: a SASL_PLAINTEXT listener and, with
 * `tls`, a SASL_SSL listener whose certificate a throwaway CA signed. The users get SCRAM-SHA-256
 * and SCRAM-SHA-512 credentials. `npm start` and `npm test` keep their plaintext broker; a test
 * that needs this one starts it.
 */
export async function startSecuredLocalKafka(options: {
  dataDir: string;
  users: readonly ScramUser[];
  tls: boolean;
  log?: (line: string) => void;
  repoRoot?: string;
}): Promise<SecuredKafka> {
  const log = options.log ?? (() => undefined);
  const repo = repoPaths(options.repoRoot ?? findRepoRoot());
  const libsDir = await ensureMavenComponent({ name: 'kafka', pom: repo.kafkaPom, targetDir: join(repo.toolsDir, 'kafka') }, log);
  const ca = options.tls ? await createTestCertificateAuthority(join(options.dataDir, 'tls')) : undefined;
  const [brokerPort, tlsPort, controllerPort] = [await findFreePort(), await findFreePort(), await findFreePort()];
  const started = await startLocalKafka({
    dataDir: options.dataDir,
    libsDir,
    brokerPort,
    controllerPort,
    checkPortsFree: false,
    log,
    security: {
      brokerUser: { name: 'telltale-broker', password: randomBytes(16).toString('hex') },
      users: options.users,
      ...(ca ? { tls: { port: tlsPort, keyStore: ca.serverKeyStore, keyStorePassword: ca.serverKeyStorePassword } } : {}),
    },
  });
  return {
    saslPlaintextBrokers: started.endpoint.brokers,
    ...(ca ? { saslSslBrokers: [`${LOOPBACK}:${tlsPort}`], ca } : {}),
    stop: () => started.stop(),
  };
}
