import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';

export interface MetricsServer {
  /** `http://host:port/metrics`. */
  url: string;
  close(): Promise<void>;
}

/**
 * Serves `GET /metrics` (Prometheus text format) on a port of its own, never on the service's
 * public port: the chart exposes it to the cluster only (ServiceMonitor), not to the Ingress.
 * Anything else gets 404. A failing collector answers 500 rather than half a page.
 */
export async function startMetricsServer(options: { registries: Registry[]; port: number; host: string }): Promise<MetricsServer> {
  const { registries } = options;
  const server: Server = createServer((req, res) => {
    // As on every answer of the services' own ports (libs/runtime http-hardening).
    res.setHeader('X-Content-Type-Options', 'nosniff');
    const path = (req.url ?? '').split('?', 1)[0];
    if (path !== '/metrics' || (req.method !== 'GET' && req.method !== 'HEAD')) {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found\n');
      return;
    }
    Promise.all(registries.map((r) => r.metrics())).then(
      (pages) => {
        res.writeHead(200, { 'Content-Type': registries[0]!.contentType, 'Cache-Control': 'no-store' });
        res.end(req.method === 'HEAD' ? undefined : pages.join(''));
      },
      (err: unknown) => {
        res.writeHead(500, { 'Content-Type': 'text/plain' }).end(`metrics collection failed: ${(err as Error).message}\n`);
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const host = options.host === '0.0.0.0' || options.host === '::' ? '127.0.0.1' : options.host;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}/metrics`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
