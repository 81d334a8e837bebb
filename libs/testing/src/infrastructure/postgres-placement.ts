import { createHash } from 'node:crypto';
import { chownSync, cpSync, existsSync, lstatSync, mkdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { foldersBlocking, isWithin, makeTraversable, type OsUser } from './os-user';
import type { PostgresBinaries } from './postgres-binaries';

/**
 * When we are root, PostgreSQL runs as the postgres user, which must reach its binaries (in
 * node_modules) and its cluster (in the data folder). A clone in root's home (mode 700) is closed
 * to it, and loosening someone's home is not ours to do; what it cannot reach is kept here instead.
 */
export const SHARED_POSTGRES_ROOT = '/var/lib/telltale';

export interface PostgresPlacement {
  binaries: PostgresBinaries;
  /** Holds the cluster (`data/`) and, during initdb, its password file; the postgres user owns it. */
  clusterHome: string;
  /** Removes a throwaway cluster that had to live outside the data folder. */
  discard(): void;
}

export interface PlacementOptions {
  dataDir: string;
  binaries: PostgresBinaries;
  /** Undefined when we are not root: PostgreSQL runs as us and reaches whatever we do. */
  user: OsUser | undefined;
  throwaway: boolean;
  log: (line: string) => void;
  /** Tests only: instead of SHARED_POSTGRES_ROOT. */
  sharedRoot?: string;
}

export function placePostgres(options: PlacementOptions): PostgresPlacement {
  const { dataDir, binaries, user, log } = options;
  const inDataDir = join(dataDir, 'postgres');
  mkdirSync(inDataDir, { recursive: true, mode: 0o700 });
  if (user === undefined) return { binaries, clusterHome: inDataDir, discard: () => undefined };

  chownSync(inDataDir, user.uid, user.gid);
  const shared = (): string => checkedSharedRoot(options.sharedRoot ?? SHARED_POSTGRES_ROOT, user);
  const reachableBinaries = binariesReachableBy(binaries, user, shared, log);
  // Ours to open: the data folder, and for throwaway data a folder of ours in the temp folder
  // holding it (tests put it in a mkdtemp one, 0700). Anything else above it is not ours.
  const temp = tmpdir();
  const mayOpen = (folder: string): boolean =>
    isWithin(folder, dataDir) ||
    (options.throwaway && folder !== temp && isWithin(folder, temp) && statSync(folder).uid === process.getuid?.());
  if (makeTraversable(inDataDir, mayOpen, user, log)) {
    return { binaries: reachableBinaries, clusterHome: inDataDir, discard: () => undefined };
  }
  const clusterHome = join(shared(), 'clusters', createHash('sha256').update(dataDir).digest('hex').slice(0, 16));
  mkdirSync(dirname(clusterHome), { recursive: true, mode: 0o755 });
  mkdirSync(clusterHome, { recursive: true, mode: 0o700 });
  chownSync(clusterHome, user.uid, user.gid);
  log(
    `postgres: the postgres user cannot reach ${dataDir} (${foldersBlocking(dataDir, user)[0]} is closed to it); ` +
      `the cluster lives in ${clusterHome}`,
  );
  return {
    binaries: reachableBinaries,
    clusterHome,
    discard: () => {
      if (options.throwaway) rmSync(clusterHome, { recursive: true, force: true });
    },
  };
}

/** Creates `root` if needed and checks it is root's alone to write, and passable for the postgres user. */
function checkedSharedRoot(root: string, user: OsUser): string {
  mkdirSync(root, { recursive: true, mode: 0o755 });
  const stat = lstatSync(root);
  if (!stat.isDirectory() || stat.uid !== 0 || (stat.mode & 0o022) !== 0) {
    throw new Error(`${root} must be a folder owned by root and writable by root alone`);
  }
  const blocking = foldersBlocking(root, user);
  if (blocking.length > 0) throw new Error(`the postgres user cannot reach ${root} (${blocking[0]} is closed to it)`);
  return root;
}

/**
 * The binaries as they are when the postgres user can run them there, else a copy of the whole
 * build (bin/, lib/, share/: the binaries find the rest relative to themselves) made once per version.
 */
function binariesReachableBy(
  binaries: PostgresBinaries,
  user: OsUser,
  sharedRoot: () => string,
  log: (line: string) => void,
): PostgresBinaries {
  const binDir = dirname(binaries.postgres);
  if (foldersBlocking(binDir, user).length === 0) return binaries;
  const buildDir = dirname(binDir);
  const { name, version } = JSON.parse(readFileSync(join(buildDir, '..', 'package.json'), 'utf8')) as { name: string; version: string };
  const target = join(sharedRoot(), 'binaries', `${name.replace('/', '+')}@${version}`);
  if (!existsSync(join(target, 'bin', 'postgres'))) {
    log(`postgres: the postgres user cannot reach ${binDir}; copying the build to ${target}`);
    const partial = `${target}.partial-${process.pid}`;
    rmSync(partial, { recursive: true, force: true });
    cpSync(buildDir, partial, { recursive: true, verbatimSymlinks: true });
    try {
      renameSync(partial, target);
    } catch (error) {
      // Another run finished the same copy first.
      rmSync(partial, { recursive: true, force: true });
      if (!existsSync(join(target, 'bin', 'postgres'))) throw error;
    }
  }
  const inTarget = (binary: string): string => join(target, 'bin', binary);
  return { postgres: inTarget('postgres'), initdb: inTarget('initdb'), pg_ctl: inTarget('pg_ctl') };
}
