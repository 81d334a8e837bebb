import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { context, ROOT_CONTEXT } from '@opentelemetry/api';
import { trackingEngagementCorrectedTopic, trackingEngagementTopic, unsubscribeRequestedTopic } from '@telltale/contracts';
import type { Clock } from '@telltale/db';
import { ServiceRuntime, kafkaClientSecurity, startService, type StartedService, callerGuardSettings } from '@telltale/runtime';
import type { Logger } from '@telltale/telemetry';
import { TrackerInitial1764230700000 } from './migrations/1764230700000-tracker-initial';
import { TrackerDevicesOffices1764240000000 } from './migrations/1764240000000-tracker-devices-offices';
import { TrackerEngagementCorrections1766100000000 } from './migrations/1766100000000-tracker-engagement-corrections';
import { TrackerCloudRanges1766200000000 } from './migrations/1766200000000-tracker-cloud-ranges';
import type { TrackerConfig } from './tracker.config';
import { TrackerModule } from './tracker.module';
import { OpenPixelHandler } from './hits/open-pixel.handler';
import { startPixelProcesses, type PixelProcesses } from './edge/pixel-processes';

export function createTrackerRuntime(config: TrackerConfig, overrides: { clock?: Clock; logger?: Logger } = {}): ServiceRuntime {
  return new ServiceRuntime({
    service: 'tracker',
    schema: 'tracker',
    databaseUrl: config.DATABASE_URL,
    kafkaBrokers: config.KAFKA_BROKERS,
    kafkaSecurity: kafkaClientSecurity(config),
    entities: [],
    migrations: [TrackerInitial1764230700000, TrackerDevicesOffices1764240000000, TrackerEngagementCorrections1766100000000, TrackerCloudRanges1766200000000],
    producedTopics: [trackingEngagementTopic, trackingEngagementCorrectedTopic, unsubscribeRequestedTopic],
    runMigrations: config.RUN_MIGRATIONS,
    identity: callerGuardSettings(config),
    logLevel: config.LOG_LEVEL,
    topicPrefix: config.KAFKA_TOPIC_PREFIX,
    // The pixel answers (and spills hits) even when the tracker starts during a Kafka outage.
    kafkaRequiredAtStart: false,
    ...overrides,
  });
}

/**
 * Starts the tracker. TRACKER_WORKERS = 1: this process serves PORT, the pixel answered by its own
 * listener ahead of Nest. TRACKER_WORKERS = N > 1 (ADR 8): this process serves on a loopback port
 * only, and N pixel processes share PORT, answer the pixel, forward their opens here (classified
 * and recorded here, in one place) and pass every other request on.
 */
export async function startTracker(config: TrackerConfig, overrides: Parameters<typeof createTrackerRuntime>[1] = {}): Promise<StartedService> {
  const runtime = createTrackerRuntime(config, overrides);
  const edge = config.TRACKER_WORKERS > 1;
  const started = await startService({
    runtime,
    port: edge ? 0 : config.PORT,
    metricsPort: config.METRICS_PORT,
    host: edge ? '127.0.0.1' : config.HOST,
    module: TrackerModule.forRuntime(runtime, config),
    configure: (app) => {
      const http = app.getHttpAdapter().getInstance() as { set(setting: string, value: unknown): void };
      http.set('etag', false);
      // The pixel is answered by the server's own 'request' listener, ahead of Express and Nest
      // (ADR 5, ADR 8): Nest's listener (the Express app) is taken off the server and called by
      // ours for every other request, with the documented EventEmitter API; Node's server is not
      // patched. The HTTP instrumentation is told to ignore /o/ (tracker-telemetry): the pixel
      // opens its own span.
      servePixelAhead(app.getHttpServer() as Server, app.get(OpenPixelHandler));
      // Express's own view of the client (req.secure behind a TLS-terminating load balancer). Behind
      // pixel processes, X-Forwarded-Proto is theirs (they applied TRUST_PROXY), over loopback.
      const trustProxy = edge ? 'loopback' : config.TRUST_PROXY;
      if (trustProxy !== undefined) http.set('trust proxy', /^\d+$/.test(trustProxy) ? Number(trustProxy) : trustProxy);
    },
  });
  if (!edge) return started;
  const pixel = started.app.get(OpenPixelHandler);
  let pixels: PixelProcesses;
  try {
    pixels = await startPixelProcesses(
      config.TRACKER_WORKERS,
      { port: config.PORT, host: config.HOST, trackingSigningKeys: config.TRACKING_SIGNING_KEYS, trustProxy: config.TRUST_PROXY, upstreamPort: ((started.app.getHttpServer() as Server).address() as AddressInfo).port },
      (opens) => {
        for (const open of opens) {
          try {
            pixel.record({ kind: 'open', orgId: open.orgId, sentEmailId: open.sentEmailId, issuedAt: new Date(open.issuedAt) }, open.hit, open.trace, new Date(open.at));
          } catch (err) {
            runtime.logger.error({ err: (err as Error).message }, 'open hit not recorded');
          }
        }
      },
      runtime.logger.child({ component: 'pixel-processes' }),
    );
  } catch (err) {
    await started.stop();
    throw err;
  }
  const url = `http://${config.HOST === '0.0.0.0' ? '127.0.0.1' : config.HOST}:${pixels.port}`;
  runtime.logger.info({ url, pixelProcesses: config.TRACKER_WORKERS }, 'tracker pixel processes started');
  return {
    ...started,
    url,
    // The pixel processes first: their answers under way finish and their last opens arrive, then
    // the tracker drains every hit into Kafka (or the spill) as it stops.
    stop: async () => {
      await pixels.stop();
      await started.stop();
    },
  };
}

/**
 * Makes `pixel` the server's only 'request' listener: it answers the pixel itself and hands every
 * other request to the listeners that were there (Nest's Express app), in their order.
 */
export function servePixelAhead(server: Server, pixel: { handle(req: IncomingMessage, res: ServerResponse): boolean }): void {
  const others = server.listeners('request') as ((req: IncomingMessage, res: ServerResponse) => void)[];
  // Nest attaches its Express app when it creates the server; without it, requests would go nowhere.
  if (others.length === 0) throw new Error('the HTTP server has no request listener (Nest\'s) to serve other paths with');
  server.removeAllListeners('request');
  const pixelFirst = (req: IncomingMessage, res: ServerResponse): boolean => pixel.handle(req, res);
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    // Outside whatever context the HTTP instrumentation runs listeners in (for an ignored path, one
    // that suppresses tracing, which the hit's batch timer would inherit: no producer spans). The
    // pixel continues the request's trace from its headers itself.
    if (context.with(ROOT_CONTEXT, pixelFirst, undefined, req, res)) return;
    for (const listener of others) listener.call(server, req, res);
  });
}
