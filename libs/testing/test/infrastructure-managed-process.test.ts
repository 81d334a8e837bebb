import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';

import { ManagedProcess } from '../src/infrastructure/managed-process';
import { stopStaleProcess } from '../src/infrastructure/stale-process';

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitForLine(file: string, text: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (!readFileSync(file, 'utf8').includes(text)) {
    assert.ok(Date.now() < deadline, `"${text}" never appeared in ${file}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('ManagedProcess', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'managed-process-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('writes output to its log file and a pid file, and removes the pid file on stop', async () => {
    const logFile = join(dir, 'echo.log');
    const pidFile = join(dir, 'echo.pid');
    const child = await ManagedProcess.start({
      name: 'echo',
      command: process.execPath,
      args: ['-e', 'console.log("hello from the child"); setInterval(() => {}, 1000);'],
      logFile,
      pidFile,
      stopSignal: 'SIGTERM',
      stopTimeoutMs: 5_000,
    });
    assert.equal(readFileSync(pidFile, 'utf8').trim(), String(child.pid));
    await waitForLine(logFile, 'hello from the child');
    await child.stop();
    assert.equal(child.exitStatus()?.signal, 'SIGTERM');
    assert.equal(existsSync(pidFile), false);
    assert.match(readFileSync(logFile, 'utf8'), /hello from the child/);
  });

  it('kills a process that ignores its stop signal once the deadline passes', async () => {
    const child = await ManagedProcess.start({
      name: 'stubborn',
      command: process.execPath,
      args: ['-e', 'process.on("SIGTERM", () => {}); console.log("ready"); setInterval(() => {}, 1000);'],
      logFile: join(dir, 'stubborn.log'),
      stopSignal: 'SIGTERM',
      stopTimeoutMs: 300,
    });
    // The handler must be installed before we signal, or the default action would end it.
    await waitForLine(join(dir, 'stubborn.log'), 'ready');
    await child.stop();
    assert.equal(child.exitStatus()?.signal, 'SIGKILL');
    assert.equal(isAlive(child.pid), false);
  });

  it('stops a leftover recorded in a pid file when its command line names the marker', async () => {
    const marker = join(dir, 'leftover-marker');
    const pidFile = join(dir, 'leftover.pid');
    const leftover = await ManagedProcess.start({
      name: 'leftover',
      command: process.execPath,
      args: ['-e', 'setInterval(() => {}, 1000)', marker],
      logFile: join(dir, 'leftover.log'),
      pidFile,
      stopSignal: 'SIGTERM',
      stopTimeoutMs: 5_000,
    });
    const lines: string[] = [];
    await stopStaleProcess({ pidFile, marker, signal: 'SIGTERM', timeoutMs: 5_000, log: (line) => lines.push(line), name: 'leftover' });
    await leftover.exited;
    assert.equal(isAlive(leftover.pid), false);
    assert.match(lines.join('\n'), /leftover process/);
  });

  it('leaves a process alone whose command line does not name the marker', async () => {
    const pidFile = join(dir, 'unrelated.pid');
    const unrelated = await ManagedProcess.start({
      name: 'unrelated',
      command: process.execPath,
      args: ['-e', 'setInterval(() => {}, 1000)'],
      logFile: join(dir, 'unrelated.log'),
      pidFile,
      stopSignal: 'SIGTERM',
      stopTimeoutMs: 5_000,
    });
    await stopStaleProcess({ pidFile, marker: join(dir, 'not-this-one'), signal: 'SIGTERM', timeoutMs: 1_000, log: () => undefined, name: 'x' });
    assert.equal(isAlive(unrelated.pid), true);
    await unrelated.stop();
  });
});
