import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { trackingEngagementTopic } from '@telltale/contracts';
import type { Clock } from '@telltale/db';
import { ServiceRuntime, startService, type StartedService } from '@telltale/runtime';
import type { Logger } from '@telltale/telemetry';
import { TrackerInitial1764230700000 } from './migrations/1764230700000-tracker-initial';
import { TrackerDevicesOffices1764240000000 } from './migrations/1764240000000-tracker-devices-offices';
import type { TrackerConfig } from './tracker.config';
import { TrackerModule } from './tracker.module';
import { OpenPixelHandler } from './hits/open-pixel.handler';

export function createTrackerRuntime(config: TrackerConfig, overrides: { clock?: Clock; logger?: Logger } = {}): ServiceRuntime {
  return new ServiceRuntime({
    service: 'tracker',
    schema: 'tracker',
    databaseUrl: config.DATABASE_URL,
    kafkaBrokers: config.KAFKA_BROKERS,
    entities: [],
    migrations: [TrackerInitial1764230700000, TrackerDevicesOffices1764240000000],
    producedTopics: [trackingEngagementTopic],
    runMigrations: config.RUN_MIGRATIONS,
    logLevel: config.LOG_LEVEL,
    topicPrefix: config.KAFKA_TOPIC_PREFIX,
    // The pixel answers (and spills hits) even when the tracker starts during a Kafka outage.
    kafkaRequiredAtStart: false,
    ...overrides,
  });
}

export function startTracker(config: TrackerConfig, overrides: Parameters<typeof createTrackerRuntime>[1] = {}): Promise<StartedService> {
  const runtime = createTrackerRuntime(config, overrides);
  return startService({
    runtime,
    port: config.PORT,
    metricsPort: config.METRICS_PORT,
    host: config.HOST,
    module: TrackerModule.forRuntime(runtime, config),
    configure: (app) => {
      const http = app.getHttpAdapter().getInstance() as { disable(setting: string): void; set(setting: string, value: unknown): void };
      http.disable('x-powered-by');
      http.set('etag', false);
      // The pixel is answered from the Node server itself, ahead of Express (ADR 0005) and ahead of
      // the HTTP instrumentation, which patches Server.prototype.emit and, even for a path it is
      // told to ignore, binds a context to the request and response (the pixel opens its own span).
      const server = app.getHttpServer() as Server;
      const pixel = app.get(OpenPixelHandler);
      const emit = server.emit;
      server.emit = function emitPixelFirst(this: Server, event: string | symbol, ...args: unknown[]): boolean {
        if (event === 'request' && pixel.handle(args[0] as IncomingMessage, args[1] as ServerResponse)) return true;
        return (emit as (this: Server, event: string | symbol, ...args: unknown[]) => boolean).call(this, event, ...args);
      } as Server['emit'];
      // Express's own view of the client (req.secure behind a TLS-terminating load balancer).
      if (config.TRUST_PROXY !== undefined) http.set('trust proxy', /^\d+$/.test(config.TRUST_PROXY) ? Number(config.TRUST_PROXY) : config.TRUST_PROXY);
    },
  });
}
