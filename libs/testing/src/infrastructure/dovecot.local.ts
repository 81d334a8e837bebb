import { execFile } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { findFreePort, LOOPBACK } from './free-port';
import { readLogTail } from './log-tail';
import { readGreeting } from './mail-readiness';
import { ManagedProcess } from './managed-process';
import { waitUntil } from './wait-until';

const run = promisify(execFile);

/** Debian's dovecot-imapd puts the master binary here. */
export const DOVECOT_BINARY = '/usr/sbin/dovecot';
export const DOVECOT_INSTALL_COMMAND = 'apt-get install -y dovecot-imapd';

export interface DovecotEndpoint {
  host: string;
  imapPort: number;
  /** Every account's password (any user name logs in with it, and only with it). */
  password: string;
}

export interface LocalDovecotOptions {
  /** The run's data directory; Dovecot's configuration, state and maildirs go under <dataDir>/dovecot. */
  dataDir: string;
  log: (line: string) => void;
  /** Default: a free port. A restart passes the port of the run before, so clients find it again. */
  port?: number;
  /** Default: a random one. A restart keeps it, or changes it to play a password change. */
  password?: string;
}

async function osIds(name: string): Promise<{ uid: number; gid: number } | undefined> {
  try {
    const [uid, gid] = await Promise.all([run('id', ['-u', name]), run('id', ['-g', name])]);
    return { uid: Number.parseInt(uid.stdout, 10), gid: Number.parseInt(gid.stdout, 10) };
  } catch {
    return undefined;
  }
}

/**
 * Dovecot 2.3 from Debian as a real production IMAP server for the tests (CONDSTORE, QRESYNC, IDLE,
 * MOVE, UIDPLUS, SPECIAL-USE, a UIDVALIDITY that survives restarts), started as its own process:
 * its own configuration (not /etc/dovecot, no system service), an ephemeral port on 127.0.0.1, no
 * TLS. Any user name logs in with the one password of the run and nothing else (a static passdb:
 * tests make their own accounts without sharing any), so a wrong password is refused as on a real
 * server. Maildirs live under the run's data directory. Mail goes in by IMAP APPEND.
 */
export async function startLocalDovecot(options: LocalDovecotOptions): Promise<{ endpoint: DovecotEndpoint; stop(): Promise<void> }> {
  if (!existsSync(DOVECOT_BINARY)) throw new Error(`Dovecot is not installed (${DOVECOT_BINARY}): run '${DOVECOT_INSTALL_COMMAND}'`);
  const home = join(options.dataDir, 'dovecot');
  const mailRoot = join(home, 'mail');
  const logFile = join(home, 'dovecot.log');
  for (const dir of [home, join(home, 'run'), join(home, 'state'), mailRoot]) mkdirSync(dir, { recursive: true });

  const root = process.getuid?.() === 0;
  const self = { uid: process.getuid?.() ?? 0, gid: process.getgid?.() ?? 0 };
  // As root, Dovecot drops privileges: mail is handled as the package's "dovecot" user, who must
  // reach the maildirs (the run's data dir is a 0700 mkdtemp folder of ours: o+x only, no listing).
  const mailUser = root ? await osIds('dovecot') : self;
  if (mailUser === undefined) throw new Error(`the "dovecot" OS user is missing: reinstall with '${DOVECOT_INSTALL_COMMAND}'`);
  const internalUser = root ? 'dovecot' : (await run('id', ['-un'])).stdout.trim();
  const loginUser = root ? ((await osIds('dovenull')) ? 'dovenull' : 'dovecot') : internalUser;
  if (root) {
    chmodSync(options.dataDir, 0o711);
    chmodSync(home, 0o711);
    chownSync(mailRoot, mailUser.uid, mailUser.gid);
  }

  const port = options.port ?? (await findFreePort());
  const password = options.password ?? randomBytes(12).toString('hex');
  // A restart on the same data dir keeps the maildirs, and with them every folder's UIDVALIDITY.
  const config = join(home, 'dovecot.conf');
  writeFileSync(
    config,
    [
      `base_dir = ${join(home, 'run')}`,
      `state_dir = ${join(home, 'state')}`,
      `instance_name = telltale-${port}`,
      'protocols = imap',
      `listen = ${LOOPBACK}`,
      'ssl = no',
      'disable_plaintext_auth = no',
      'auth_mechanisms = plain login',
      `log_path = ${logFile}`,
      `default_internal_user = ${internalUser}`,
      `default_login_user = ${loginUser}`,
      'first_valid_uid = 1',
      'mail_location = maildir:~/Maildir',
      'passdb {',
      '  driver = static',
      `  args = password=${password}`,
      '}',
      'userdb {',
      '  driver = static',
      `  args = uid=${mailUser.uid} gid=${mailUser.gid} home=${mailRoot}/%u`,
      '}',
      'namespace inbox {',
      '  inbox = yes',
      '  separator = /',
      '  mailbox Sent {',
      '    special_use = \\Sent',
      '  }',
      '  mailbox Drafts {',
      '    special_use = \\Drafts',
      '  }',
      '  mailbox Trash {',
      '    special_use = \\Trash',
      '  }',
      '  mailbox Junk {',
      '    special_use = \\Junk',
      '  }',
      '}',
      'service imap-login {',
      '  inet_listener imap {',
      `    address = ${LOOPBACK}`,
      `    port = ${port}`,
      '  }',
      '  inet_listener imaps {',
      '    port = 0',
      '  }',
      ...(root ? [] : ['  chroot =']),
      '}',
      // Tests open many short sessions from one address.
      'mail_max_userip_connections = 200',
      '',
    ].join('\n'),
  );

  const server = await ManagedProcess.start({
    name: 'dovecot',
    command: DOVECOT_BINARY,
    // -F: stay in the foreground, our child, so stopping it stops the whole server.
    args: ['-F', '-c', config],
    cwd: home,
    logFile: join(home, 'dovecot.out'),
    stopSignal: 'SIGTERM',
    stopTimeoutMs: 15_000,
  });
  try {
    await waitUntil(
      async () => {
        const greeting = await readGreeting(LOOPBACK, port, 3_000);
        if (!/^\* OK\b/i.test(greeting)) throw new Error(`unexpected IMAP greeting on port ${port}: ${greeting}`);
        return true;
      },
      {
        what: `Dovecot on ${LOOPBACK}:${port}`,
        timeoutMs: 30_000,
        abortReason: () => {
          const status = server.exitStatus();
          return status === undefined ? undefined : `dovecot exited (code ${status.code}, signal ${status.signal})`;
        },
      },
    );
  } catch (error) {
    await server.stop();
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`${reason}\n--- ${logFile} ---\n${readLogTail(logFile, 30)}\n--- ${join(home, 'dovecot.out')} ---\n${readLogTail(join(home, 'dovecot.out'), 30)}`);
  }
  options.log(`dovecot: ready on ${LOOPBACK}:${port}`);
  return { endpoint: { host: LOOPBACK, imapPort: port, password }, stop: () => server.stop() };
}
