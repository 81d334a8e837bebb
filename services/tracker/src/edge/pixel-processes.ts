import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import type { Logger } from '@telltale/telemetry';
import { PIXEL_PROCESS_OPTIONS_ENV, type ForwardedOpen, type PixelProcessMessage, type PixelProcessOptions, type TrackerProcessMessage } from './edge-protocol';

export interface PixelProcesses {
  /** The port they share (PORT, or the one the first picked when PORT is 0). */
  port: number;
  pids(): number[];
  /** Stops them: no new connections, answers under way finish, their last opens are delivered. */
  stop(): Promise<void>;
}

/**
 * Starts `count` pixel processes (pixel-process.ts) on `options.port`, sharing it, and delivers
 * every open they answer to `onOpens`, batch by batch, in the order each process sent them (a
 * process answers a batch once `onOpens` returned: one batch in flight per process). A
 * process that dies is started again (its hits not yet forwarded are lost, as a tracker's queue is
 * on SIGKILL). Resolves once all listen.
 */
export async function startPixelProcesses(
  count: number,
  options: PixelProcessOptions,
  onOpens: (opens: readonly ForwardedOpen[]) => void,
  logger: Logger,
): Promise<PixelProcesses> {
  const script = join(__dirname, 'pixel-process.js');
  const children = new Set<ChildProcess>();
  let stopping = false;
  let port = options.port;

  const start = (): Promise<number> =>
    new Promise((resolve, reject) => {
      const child = fork(script, [], {
        env: { ...process.env, [PIXEL_PROCESS_OPTIONS_ENV]: JSON.stringify({ ...options, port } satisfies PixelProcessOptions) },
        // The tracker's own Node flags (heap limits) suit a pixel process too.
        execArgv: process.execArgv.filter((arg) => !arg.startsWith('--cpu-prof') && !arg.startsWith('--inspect')),
        stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      });
      children.add(child);
      let listening = false;
      child.on('message', (message: PixelProcessMessage) => {
        if (message.kind === 'opens') {
          onOpens(message.opens);
          if (child.connected) child.send({ kind: 'recorded' } satisfies TrackerProcessMessage);
        }
        else if (message.kind === 'listening') {
          listening = true;
          resolve(message.port);
        }
      });
      child.once('exit', (code, signal) => {
        children.delete(child);
        if (!listening) {
          reject(new Error(`tracker pixel process exited before listening (${signal ?? code})`));
          return;
        }
        if (stopping) return;
        logger.error({ code, signal }, 'tracker pixel process died; starting another');
        start().catch((err: unknown) => logger.error({ err: (err as Error).message }, 'tracker pixel process not restarted'));
      });
    });

  const stop = async (): Promise<void> => {
    stopping = true;
    await Promise.all(
      [...children].map(
        (child) =>
          new Promise<void>((done) => {
            if (child.exitCode !== null || child.signalCode !== null) return done();
            child.once('exit', () => done());
            if (child.connected) child.send({ kind: 'stop' } satisfies TrackerProcessMessage);
            else child.kill('SIGKILL');
          }),
      ),
    );
  };

  try {
    // The first picks the port when PORT is 0; the others join it.
    port = await start();
    await Promise.all(Array.from({ length: count - 1 }, () => start()));
  } catch (err) {
    await stop();
    throw err;
  }
  return { port, pids: () => [...children].map((c) => c.pid!), stop };
}
