import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { findRepoRoot } from '../src/infrastructure/repo-paths';
import { isAlive } from '../src/infrastructure/stale-process';

// `npm start` and `npm test` must stop when a supervisor (or `timeout`) signals npm's pid, not only
// on a terminal's Ctrl-C. npm passes SIGINT and SIGTERM to its child only, so everything between
// npm and node must be exec'd away: the package.json script (run by `sh -c`) and run.sh. This runs
// the real scripts and the real run.sh in a scratch copy of the repository layout in which
// start.mjs and test.mjs are stand-ins that report what reached them through the real
// shutdown-request.mjs, and tsc does nothing. The real start.mjs takes ~100 s to come up; what it
// does once told to stop is measured by hand (see the commit that added this test).

const WAIT_MS = 20_000;
const repoRoot = findRepoRoot(__dirname);
const packageJson = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { scripts: Record<string, string> };

const STAND_IN = `import { onShutdownRequest } from './shutdown-request.mjs';
let stopping = false;
onShutdownRequest((reason) => {
  if (stopping) return;
  stopping = true;
  console.log('stand-in: ' + reason);
  // A little work on the way out, as start.mjs stopping services would do.
  setImmediate(() => process.exit(0));
});
setInterval(() => undefined, 1 << 30);
console.log('stand-in: ready ' + process.pid);
`;

function scratchRepository(): string {
  const root = mkdtempSync(join(tmpdir(), 'local-run-signals-'));
  const local = join(root, 'deploy', 'local');
  mkdirSync(local, { recursive: true });
  for (const file of ['run.sh', 'ensure-node.sh', 'shutdown-request.mjs']) {
    copyFileSync(join(repoRoot, 'deploy', 'local', file), join(local, file));
  }
  writeFileSync(join(local, 'start.mjs'), STAND_IN);
  writeFileSync(join(local, 'test.mjs'), STAND_IN);
  const { start, test } = packageJson.scripts;
  writeFileSync(join(root, 'package.json'), JSON.stringify({ name: 'scratch', private: true, scripts: { start, test } }));
  // run.sh runs `npm ci` when node_modules/.package-lock.json is missing or older than the lock.
  writeFileSync(join(root, 'package-lock.json'), '{}');
  utimesSync(join(root, 'package-lock.json'), new Date(0), new Date(0));
  mkdirSync(join(root, 'node_modules', '.bin'), { recursive: true });
  writeFileSync(join(root, 'node_modules', '.package-lock.json'), '{}');
  writeFileSync(join(root, 'node_modules', '.bin', 'tsc'), '#!/bin/sh\nexit 0\n');
  chmodSync(join(root, 'node_modules', '.bin', 'tsc'), 0o755);
  return root;
}

interface Run {
  npm: ChildProcess;
  standInPid: number;
  /** Resolves with the first line the stand-in prints after `ready`. */
  reason: Promise<string>;
  npmExited: Promise<void>;
}

function withTimeout<T>(promise: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: nothing after ${WAIT_MS / 1000} s`)), WAIT_MS);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** The stand-in, not npm, is the one that must go: polls its pid (it is not our child). */
async function waitForExit(pid: number, what: string): Promise<void> {
  const deadline = Date.now() + WAIT_MS;
  while (isAlive(pid)) {
    assert.ok(Date.now() < deadline, `${what}: pid ${pid} still running after ${WAIT_MS / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

async function startNpm(root: string, script: 'start' | 'test'): Promise<Run> {
  // Our own node first (run.sh would otherwise fetch Node 24), and none of the outer npm's settings.
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.toLowerCase().startsWith('npm_')));
  env['PATH'] = `${dirname(process.execPath)}${delimiter}${env['PATH'] ?? ''}`;
  // Its own process group, so the Ctrl-C case can signal the group as a terminal does.
  const npm = spawn('npm', [script], { cwd: root, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  npm.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const npmExited = new Promise<void>((resolve) => npm.once('exit', () => resolve()));
  const lines: string[] = [];
  const waiters: Array<() => void> = [];
  let buffered = '';
  npm.stdout?.on('data', (chunk: Buffer) => {
    buffered += chunk.toString();
    const parts = buffered.split('\n');
    buffered = parts.pop() ?? '';
    for (const line of parts) if (line.startsWith('stand-in: ')) lines.push(line.slice('stand-in: '.length));
    for (const wake of waiters.splice(0)) wake();
  });
  const nthLine = async (n: number): Promise<string> => {
    while (lines.length <= n) await new Promise<void>((resolve) => waiters.push(resolve));
    return lines[n] as string;
  };
  const ready = await withTimeout(
    Promise.race([
      nthLine(0),
      npmExited.then(() => {
        throw new Error(`npm ${script} exited before the stand-in was ready:\n${stderr}`);
      }),
    ]),
    `npm ${script} starting the stand-in`,
  );
  const match = /^ready (\d+)$/.exec(ready);
  assert.ok(match, `unexpected first line from the stand-in: ${ready}`);
  return { npm, standInPid: Number(match[1]), reason: nthLine(1), npmExited };
}

describe('npm start / npm test pass stop requests on to node', () => {
  let root: string;
  const started: Run[] = [];
  before(() => {
    root = scratchRepository();
  });
  after(() => {
    for (const run of started) {
      for (const pid of [run.standInPid, run.npm.pid]) if (pid !== undefined && isAlive(pid)) process.kill(pid, 'SIGKILL');
    }
    rmSync(root, { recursive: true, force: true });
  });

  async function start(script: 'start' | 'test'): Promise<Run> {
    const run = await startNpm(root, script);
    started.push(run);
    return run;
  }

  it('the scripts exec run.sh, so npm signals node itself and not a shell in between', () => {
    for (const script of ['start', 'test'] as const) {
      assert.match(packageJson.scripts[script] ?? '', /^exec bash deploy\/local\/run\.sh /, `package.json scripts.${script}`);
    }
  });

  for (const [script, signal] of [
    ['start', 'SIGINT'],
    ['start', 'SIGTERM'],
    ['test', 'SIGINT'],
    ['test', 'SIGTERM'],
  ] as const) {
    it(`${signal} to the pid of npm ${script} reaches node, and npm exits after it`, async () => {
      const run = await start(script);
      process.kill(run.npm.pid as number, signal);
      assert.equal(await withTimeout(run.reason, `the stand-in hearing of ${signal}`), signal);
      await waitForExit(run.standInPid, 'the stand-in');
      await withTimeout(run.npmExited, 'npm exiting');
    });
  }

  it("Ctrl-C (SIGINT to the terminal's process group) stops it", async () => {
    const run = await start('start');
    process.kill(-(run.npm.pid as number), 'SIGINT');
    assert.equal(await withTimeout(run.reason, 'the stand-in hearing of SIGINT'), 'SIGINT');
    await waitForExit(run.standInPid, 'the stand-in');
    await withTimeout(run.npmExited, 'npm exiting');
  });

  it('node stops when npm is killed outright (SIGKILL leaves nobody to pass a signal on)', async () => {
    const run = await start('start');
    process.kill(run.npm.pid as number, 'SIGKILL');
    assert.equal(await withTimeout(run.reason, 'the stand-in noticing that npm is gone'), 'parent-exit');
    await waitForExit(run.standInPid, 'the stand-in');
  });
});
