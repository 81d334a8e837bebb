import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { DynamicModule, INestApplication, LoggerService } from '@nestjs/common';
import { processMetricsRegistry, startMetricsServer, type MetricsServer } from '@telltale/metrics';
import type { Logger } from '@telltale/telemetry';
import { z } from 'zod';
import { DEFAULT_JSON_BODY_LIMIT_BYTES, hardenHttp } from './http-hardening';
import { connectEventTransport } from './events/connect-event-transport';
import { baseConfigShape, loadConfig } from './service-config';
import { assertEveryRouteClassified } from './identity/route-table';
import type { ServiceRuntime } from './service-runtime';

export { DEFAULT_JSON_BODY_LIMIT_BYTES, jsonBodyLimitFor } from './http-hardening';

/** Nest's own log lines, routed into the service's JSON logger. */
export function nestLoggerFor(logger: Logger): LoggerService {
  const log = logger.child({ component: 'nest' });
  return {
    log: (message: unknown) => log.debug(String(message)),
    error: (message: unknown, trace?: unknown) => log.error({ trace }, String(message)),
    warn: (message: unknown) => log.warn(String(message)),
    debug: (message: unknown) => log.debug(String(message)),
    verbose: (message: unknown) => log.trace(String(message)),
  };
}

export interface StartedService {
  app: INestApplication;
  runtime: ServiceRuntime;
  url: string;
  /** `http://host:port/metrics`: the service's metrics and the process's, on METRICS_PORT. */
  metricsUrl: string;
  stop(): Promise<void>;
}

/**
 * Starts a service: the metrics endpoint, runtime (migrations, topics, outbox relay), then the HTTP
 * app, then consumers. Used by every `main.ts` and by the in-process end-to-end tests, so both run
 * the same wiring.
 */
export async function startService(options: {
  runtime: ServiceRuntime;
  module: DynamicModule;
  port: number;
  host: string;
  /** The service config's METRICS_PORT (0 picks a free port); absent, METRICS_PORT is read from the environment. */
  metricsPort?: number;
  /**
   * Largest JSON body the service reads, in bytes: what its largest request schema allows
   * (`jsonBodyLimitFor`); a larger body is answered 413. Default DEFAULT_JSON_BODY_LIMIT_BYTES (100 kB).
   */
  jsonBodyLimitBytes?: number;
  configure?: (app: INestApplication) => void;
}): Promise<StartedService> {
  const { runtime } = options;
  let app: INestApplication | null = null;
  let metrics: MetricsServer | null = null;
  try {
    // First, so a slow start (migrations, Kafka away) can be watched.
    const port = options.metricsPort ?? loadConfig(z.object({ METRICS_PORT: baseConfigShape.METRICS_PORT })).METRICS_PORT;
    metrics = await startMetricsServer({ registries: [runtime.metrics, processMetricsRegistry()], port, host: options.host });
    await runtime.start();
    // Body parsing is hardenHttp's: the service's own limit and JSON errors for bad bodies.
    app = await NestFactory.create(options.module, { logger: nestLoggerFor(runtime.logger), bodyParser: false });
    hardenHttp(app, { jsonBodyLimitBytes: options.jsonBodyLimitBytes ?? DEFAULT_JSON_BODY_LIMIT_BYTES });
    connectEventTransport(app, runtime);
    options.configure?.(app);
    assertEveryRouteClassified(app);
    await app.listen(options.port, options.host);
    // The @EventPattern handlers' consumers, once HTTP listens (ADR 10).
    await app.startAllMicroservices();
  } catch (err) {
    // Leave nothing running behind a failed start (relay timers, consumers, pool).
    await app?.close().catch(() => undefined);
    await runtime.stop().catch(() => undefined);
    await metrics?.close();
    throw err;
  }
  const started = app;
  const metricsServer = metrics;
  const address = started.getHttpServer().address() as { port: number };
  const url = `http://${options.host === '0.0.0.0' ? '127.0.0.1' : options.host}:${address.port}`;
  runtime.logger.info({ url, metricsUrl: metricsServer.url }, `${runtime.service} started`);
  let stopped: Promise<void> | null = null;
  return {
    app: started,
    runtime,
    url,
    metricsUrl: metricsServer.url,
    stop: () => {
      stopped ??= (async () => {
        await started.close();
        await runtime.stop();
        await metricsServer.close();
      })();
      return stopped;
    },
  };
}

/** Wires SIGINT/SIGTERM to a clean stop; exits non-zero when start-up fails. */
export function runUntilSignalled(start: () => Promise<StartedService>, logger: { error(obj: object, msg: string): void }): void {
  start()
    .then((service) => {
      const shutdown = (signal: string) => {
        service.runtime.logger.info({ signal }, 'stopping');
        service
          .stop()
          .then(() => process.exit(0))
          .catch((err: unknown) => {
            logger.error({ err: (err as Error).message }, 'unclean stop');
            process.exit(1);
          });
      };
      process.once('SIGINT', () => shutdown('SIGINT'));
      process.once('SIGTERM', () => shutdown('SIGTERM'));
    })
    .catch((err: unknown) => {
      logger.error({ err: (err as Error).message }, 'failed to start');
      process.exit(1);
    });
}

/** The migration entry point each service ships (`migrate.js`, run by the Helm hook Job). */
export function runMigrationsAndExit(create: () => ServiceRuntime, logger: { info(obj: object, msg: string): void; error(obj: object, msg: string): void }): void {
  const runtime = create();
  runtime
    .migrate()
    .then(async (applied) => {
      logger.info({ applied }, 'migrations done');
      await runtime.dataSource.destroy();
      process.exit(0);
    })
    .catch((err: unknown) => {
      logger.error({ err: (err as Error).message }, 'migrations failed');
      process.exit(1);
    });
}
