import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { assertPortsFree, LOOPBACK } from './free-port';
import type { KafkaEndpoint, StartedComponent } from './infrastructure.types';
import {
  kafkaScramFormatArguments,
  newKafkaClusterId,
  renderKafkaLog4j2Properties,
  renderKafkaServerProperties,
  type KafkaNodeSecurity,
  type ScramUser,
} from './kafka-config';
import { probeKafka } from './kafka-readiness';
import { readLogTail } from './log-tail';
import { ManagedProcess } from './managed-process';
import { stopStaleProcess } from './stale-process';
import { waitUntil } from './wait-until';
import { JVM_STARTUP_OPTIONS } from './jvm-options';

const run = promisify(execFile);

export interface LocalKafkaOptions {
  dataDir: string;
  /** Folder of jars resolved from deploy/local/kafka/pom.xml. */
  libsDir: string;
  brokerPort: number;
  controllerPort: number;
  /** Fixed ports: fail with a clear message if one is taken. */
  checkPortsFree: boolean;
  log: (line: string) => void;
  /**
   * SASL (and TLS) listeners instead of PLAINTEXT, with SCRAM credentials for `users` and the
   * broker's own user created at format time; the readiness probe signs in as the broker's user.
   */
  security?: KafkaNodeSecurity & { users: readonly ScramUser[] };
}

const READY_TIMEOUT_MS = 90_000;

/**
 * Apache Kafka 4 as one KRaft node (broker + controller), data in <dataDir>/kafka. Storage is
 * formatted once; the cluster id is kept next to it so later runs reuse topics and offsets.
 */
export async function startLocalKafka(options: LocalKafkaOptions): Promise<StartedComponent<KafkaEndpoint>> {
  const { log } = options;
  const home = join(options.dataDir, 'kafka');
  const logDirs = join(home, 'data');
  const logsDir = join(home, 'logs');
  const serverLog = join(logsDir, 'server.log');
  const consoleLog = join(logsDir, 'console.log');
  const pidFile = join(options.dataDir, 'run', 'kafka.pid');
  mkdirSync(logDirs, { recursive: true });
  mkdirSync(logsDir, { recursive: true });
  mkdirSync(join(options.dataDir, 'run'), { recursive: true });

  await stopStaleProcess({ pidFile, marker: home, signal: 'SIGTERM', timeoutMs: 30_000, log, name: 'kafka' });
  if (options.checkPortsFree) await assertPortsFree([options.brokerPort, options.controllerPort, ...(options.security?.tls ? [options.security.tls.port] : [])]);

  const serverProperties = join(home, 'server.properties');
  const log4jProperties = join(home, 'log4j2.properties');
  writeFileSync(
    serverProperties,
    renderKafkaServerProperties({
      host: LOOPBACK,
      brokerPort: options.brokerPort,
      controllerPort: options.controllerPort,
      logDirs,
      security: options.security,
    }),
  );
  writeFileSync(log4jProperties, renderKafkaLog4j2Properties(serverLog));

  const classPath = join(options.libsDir, '*');
  const jvmCommon = [...JVM_STARTUP_OPTIONS, `-Dlog4j2.configurationFile=${log4jProperties}`, `-Dkafka.logs.dir=${logsDir}`];

  if (!existsSync(join(logDirs, 'meta.properties'))) {
    const clusterIdFile = join(home, 'cluster-id');
    const clusterId = existsSync(clusterIdFile) ? readFileSync(clusterIdFile, 'utf8').trim() : newKafkaClusterId();
    writeFileSync(clusterIdFile, `${clusterId}\n`);
    log(`kafka: formatting storage (cluster id ${clusterId})`);
    try {
      await run('java', [
        ...jvmCommon,
        '-cp',
        classPath,
        'kafka.tools.StorageTool',
        'format',
        '--standalone',
        '-t',
        clusterId,
        '-c',
        serverProperties,
        ...(options.security ? kafkaScramFormatArguments([options.security.brokerUser, ...options.security.users]) : []),
      ]);
    } catch (error) {
      const output =
        typeof error === 'object' && error !== null && 'stdout' in error && 'stderr' in error
          ? `${String(error.stdout)}${String(error.stderr)}`
          : '';
      const reason = error instanceof Error ? error.message : String(error);
      throw new Error(`formatting Kafka storage failed: ${reason}\n${output}`);
    }
  } else {
    log(`kafka: reusing the storage in ${logDirs}`);
  }

  const broker = await ManagedProcess.start({
    name: 'kafka',
    command: 'java',
    args: [
      '-Xmx512m',
      ...jvmCommon,
      '-cp',
      classPath,
      'kafka.Kafka',
      serverProperties,
    ],
    cwd: home,
    logFile: consoleLog,
    pidFile,
    stopSignal: 'SIGTERM',
    stopTimeoutMs: 30_000,
  });

  const brokers = [`${LOOPBACK}:${options.brokerPort}`];
  const brokerUser = options.security?.brokerUser;
  const probeSecurity = brokerUser && { sasl: { mechanism: 'scram-sha-512' as const, username: brokerUser.name, password: brokerUser.password } };
  try {
    await waitUntil(() => probeKafka(brokers, 'writable', probeSecurity), {
      what: `Kafka on ${brokers[0]} to accept a topic`,
      timeoutMs: READY_TIMEOUT_MS,
      intervalMs: 500,
      abortReason: () => {
        const status = broker.exitStatus();
        return status === undefined ? undefined : `the broker exited (code ${status.code}, signal ${status.signal})`;
      },
    });
  } catch (error) {
    await broker.stop();
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(
      `${reason}\n--- last 50 lines of ${serverLog} ---\n${readLogTail(serverLog, 50)}` +
        `\n--- last lines of ${consoleLog} ---\n${readLogTail(consoleLog, 20)}`,
    );
  }

  return { source: 'local', endpoint: { brokers }, stop: () => broker.stop() };
}
