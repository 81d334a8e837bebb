import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findFreePort, LOOPBACK } from './free-port';
import { JVM_STARTUP_OPTIONS } from './jvm-options';
import { ManagedProcess } from './managed-process';
import { ensureMavenComponent } from './maven-component';
import { findRepoRoot } from './repo-paths';
import { readLogTail } from './log-tail';
import { waitUntil } from './wait-until';

export interface StartedS3Proxy {
  /** `http://127.0.0.1:<port>`: path-style S3 API, AWS signature v2 or v4. */
  endpoint: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  stop(): Promise<void>;
}

/**
 * S3Proxy (Apache-2.0, Maven Central: org.gaul:s3proxy jar-with-dependencies) on a free loopback
 * port, with its filesystem backend in a temporary directory: a real S3-compatible server for the
 * suites that need one (started by the suite, not by test.mjs). Resolved once into .tools/s3proxy.
 */
export async function startS3Proxy(options: { log?: (line: string) => void } = {}): Promise<StartedS3Proxy> {
  const log = options.log ?? (() => undefined);
  const root = findRepoRoot();
  const libs = await ensureMavenComponent({ name: 's3proxy', pom: join(root, 'deploy', 'local', 's3proxy', 'pom.xml'), targetDir: join(root, '.tools', 's3proxy') }, log);
  const home = mkdtempSync(join(tmpdir(), 'telltale-s3proxy-'));
  const data = join(home, 'data');
  mkdirSync(data);
  const port = await findFreePort();
  const endpoint = `http://${LOOPBACK}:${port}`;
  const accessKeyId = 'telltale-test';
  const secretAccessKey = 'telltale-test-secret';
  writeFileSync(
    join(home, 's3proxy.conf'),
    [
      `s3proxy.endpoint=${endpoint}`,
      's3proxy.authorization=aws-v2-or-v4',
      `s3proxy.identity=${accessKeyId}`,
      `s3proxy.credential=${secretAccessKey}`,
      'jclouds.provider=filesystem',
      `jclouds.filesystem.basedir=${data}`,
      '',
    ].join('\n'),
  );
  const logFile = join(home, 's3proxy.log');
  const server = await ManagedProcess.start({
    name: 's3proxy',
    command: 'java',
    args: ['-Xmx256m', ...JVM_STARTUP_OPTIONS, `-Dtelltale.home=${home}`, '-cp', join(libs, '*'), 'org.gaul.s3proxy.Main', '--properties', join(home, 's3proxy.conf')],
    cwd: home,
    logFile,
    pidFile: join(home, 's3proxy.pid'),
    stopSignal: 'SIGTERM',
    stopTimeoutMs: 10_000,
  });
  const stop = async () => {
    await server.stop();
    rmSync(home, { recursive: true, force: true });
  };
  try {
    // Any HTTP answer (an unsigned request is a 403) means it listens.
    await waitUntil(() => fetch(`${endpoint}/`).then(() => true, () => undefined), {
      what: `S3Proxy on ${endpoint}`,
      timeoutMs: 60_000,
      abortReason: () => {
        const status = server.exitStatus();
        return status === undefined ? undefined : `the server exited (code ${status.code}): ${readLogTail(logFile, 20)}`;
      },
    });
  } catch (err) {
    await stop().catch(() => undefined);
    throw err;
  }
  return { endpoint, region: 'us-east-1', accessKeyId, secretAccessKey, stop };
}
