import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { assertPortsFree, LOOPBACK } from './free-port';
import type { MailServerEndpoint, StartedComponent } from './infrastructure.types';
import { readLogTail } from './log-tail';
import { probeMailServer } from './mail-readiness';
import { ManagedProcess } from './managed-process';
import { stopStaleProcess } from './stale-process';
import { waitUntil } from './wait-until';
import { JVM_STARTUP_OPTIONS } from './jvm-options';

export interface LocalGreenMailOptions {
  dataDir: string;
  /** Folder of jars resolved from deploy/local/greenmail/pom.xml. */
  libsDir: string;
  smtpPort: number;
  imapPort: number;
  /** Fixed ports: fail with a clear message if one is taken. */
  checkPortsFree: boolean;
  log: (line: string) => void;
}

/**
 * GreenMail standalone: SMTP and IMAP (with IDLE) on 127.0.0.1. `greenmail.auth.disabled` accepts
 * any login and creates a mailbox on first delivery or login, so tests need no user setup.
 * Mail lives in memory only and is gone after a restart.
 */
export async function startLocalGreenMail(options: LocalGreenMailOptions): Promise<StartedComponent<MailServerEndpoint>> {
  const { log } = options;
  const home = join(options.dataDir, 'greenmail');
  const logFile = join(home, 'greenmail.log');
  const pidFile = join(options.dataDir, 'run', 'greenmail.pid');
  mkdirSync(home, { recursive: true });
  mkdirSync(join(options.dataDir, 'run'), { recursive: true });

  await stopStaleProcess({ pidFile, marker: home, signal: 'SIGTERM', timeoutMs: 15_000, log, name: 'mail' });
  if (options.checkPortsFree) await assertPortsFree([options.smtpPort, options.imapPort]);

  const server = await ManagedProcess.start({
    name: 'mail',
    command: 'java',
    args: [
      // Heap is not GreenMail's limit: 30 000 small messages live in about 85 MB, GC pauses are <1 % of its CPU.
      '-Xmx256m',
      // Unlike Kafka, GreenMail keeps the full JIT (C2): 2.1.8 answers every FETCH by scanning the
      // folder's UID list once per message of the folder, about 2·n² synchronized calls on the
      // folder's message list per command whatever the range (n = messages in the folder). C1-only
      // code runs that loop several times slower, worse once the list's monitor got inflated (a race,
      // seen on every cold start here): IMAP sync of 10 000 messages in bench:mailbox-sync 77 s → 10 s.
      // Startup is unchanged (about 0.5 s to accept connections).
      ...JVM_STARTUP_OPTIONS.filter((option) => option !== '-XX:TieredStopAtLevel=1'),
      // Per-protocol addresses only: the global greenmail.hostname would also switch on
      // GreenMail's REST API on the fixed port 8080, which parallel runs would fight over.
      `-Dgreenmail.smtp.hostname=${LOOPBACK}`,
      `-Dgreenmail.smtp.port=${options.smtpPort}`,
      `-Dgreenmail.imap.hostname=${LOOPBACK}`,
      `-Dgreenmail.imap.port=${options.imapPort}`,
      '-Dgreenmail.auth.disabled',
      // The marker lets a later run recognise a leftover of this one by its command line.
      `-Dtelltale.home=${home}`,
      '-cp',
      join(options.libsDir, '*'),
      'com.icegreen.greenmail.standalone.GreenMailStandaloneRunner',
    ],
    cwd: home,
    logFile,
    pidFile,
    stopSignal: 'SIGTERM',
    stopTimeoutMs: 15_000,
  });

  try {
    await waitUntil(() => probeMailServer(LOOPBACK, options.smtpPort, options.imapPort), {
      what: `GreenMail on ${LOOPBACK} (SMTP ${options.smtpPort}, IMAP ${options.imapPort})`,
      timeoutMs: 60_000,
      abortReason: () => {
        const status = server.exitStatus();
        return status === undefined ? undefined : `the server exited (code ${status.code}, signal ${status.signal})`;
      },
    });
  } catch (error) {
    await server.stop();
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`${reason}\n--- last lines of ${logFile} ---\n${readLogTail(logFile, 30)}`);
  }

  return {
    source: 'local',
    endpoint: { host: LOOPBACK, smtpPort: options.smtpPort, imapPort: options.imapPort },
    stop: () => server.stop(),
  };
}
