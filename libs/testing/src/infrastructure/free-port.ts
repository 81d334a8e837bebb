import { createServer } from 'node:net';

export const LOOPBACK = '127.0.0.1';

/** Asks the kernel for a free port on 127.0.0.1 by binding port 0 and releasing it. */
export function findFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen({ host: LOOPBACK, port: 0, exclusive: true }, () => {
      const address = server.address();
      if (address === null || typeof address === 'string') {
        server.close();
        reject(new Error('could not read the address of a probe socket'));
        return;
      }
      server.close(() => resolve(address.port));
    });
  });
}

/** True when nothing accepts a bind on host:port right now. */
export function isPortFree(port: number, host: string = LOOPBACK): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen({ host, port, exclusive: true }, () => {
      server.close(() => resolve(true));
    });
  });
}

/**
 * Fixed ports that are busy mean another `npm start` (or something else) holds them: say so
 * plainly instead of letting the server fail with a bind error in its log.
 */
export async function assertPortsFree(ports: readonly number[]): Promise<void> {
  for (const port of ports) {
    if (!(await isPortFree(port, LOOPBACK))) {
      throw new Error(`port ${port} on ${LOOPBACK} is already in use (is another \`npm start\` running?)`);
    }
  }
}
