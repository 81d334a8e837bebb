import type { NodeSDK } from '@opentelemetry/sdk-node';
import type { SpanProcessor } from '@opentelemetry/sdk-trace';

let running: NodeSDK | null = null;

export interface TelemetryOptions {
  serviceName: string;
  /** Extra processors, e.g. an in-memory exporter in tests. */
  spanProcessors?: SpanProcessor[];
  /**
   * Incoming requests the HTTP instrumentation leaves alone, besides health probes: a service whose
   * hottest path cannot afford the instrumentation's per-request work traces that path itself.
   */
  ignoreIncomingPath?: (path: string) => boolean;
}

/**
 * Starts OpenTelemetry tracing. Must run before anything else is loaded (the http module is patched
 * when it is first required), which is why every service's `main.ts` imports its `instrument.ts` first.
 * Spans are exported over OTLP/HTTP when OTEL_EXPORTER_OTLP_ENDPOINT is set; otherwise they are only
 * used for context propagation (trace ids in logs and Kafka headers).
 */
export function startTelemetry(options: TelemetryOptions): NodeSDK {
  if (running) return running;
  silenceKnownWarnings();
  // Loaded here, not at import: code that only needs the logger or the warning filter (a worker
  // thread, a CLI) does not pay for the SDK's modules and memory.
  /* eslint-disable @typescript-eslint/no-require-imports */
  const { NodeSDK } = require('@opentelemetry/sdk-node') as typeof import('@opentelemetry/sdk-node');
  const { HttpInstrumentation } = require('@opentelemetry/instrumentation-http') as typeof import('@opentelemetry/instrumentation-http');
  const { BatchSpanProcessor } = require('@opentelemetry/sdk-trace') as typeof import('@opentelemetry/sdk-trace');
  const { OTLPTraceExporter } = require('@opentelemetry/exporter-trace-otlp-http') as typeof import('@opentelemetry/exporter-trace-otlp-http');
  /* eslint-enable @typescript-eslint/no-require-imports */
  const processors: SpanProcessor[] = [...(options.spanProcessors ?? [])];
  if (process.env.OTEL_EXPORTER_OTLP_ENDPOINT) {
    processors.push(new BatchSpanProcessor({ exporter: new OTLPTraceExporter() }));
  }
  // Without an endpoint the SDK would default to an OTLP exporter on localhost and log connection
  // errors forever; we configure exporters explicitly instead.
  process.env.OTEL_TRACES_EXPORTER ??= 'none';
  process.env.OTEL_METRICS_EXPORTER ??= 'none';
  process.env.OTEL_LOGS_EXPORTER ??= 'none';
  const sdk = new NodeSDK({
    serviceName: process.env.OTEL_SERVICE_NAME ?? options.serviceName,
    spanProcessors: processors,
    instrumentations: [
      new HttpInstrumentation({
        // Health probes would drown real traces.
        ignoreIncomingRequestHook: (req) => {
          const path = req.url ?? '';
          return path.startsWith('/health') || (options.ignoreIncomingPath?.(path) ?? false);
        },
      }),
    ],
  });
  sdk.start();
  running = sdk;
  return sdk;
}

export async function stopTelemetry(): Promise<void> {
  const sdk = running;
  running = null;
  if (sdk) await sdk.shutdown();
}

let warningFilterInstalled = false;

/**
 * kafkajs 2.2.4 arms a timer with a negative delay while it is not throttled; Node 24 reports that
 * as a TimeoutNegativeWarning on every start (the timer still fires after 1 ms, which is what
 * kafkajs means). We drop that one warning and print every other one as Node would.
 */
export function silenceKnownWarnings(): void {
  if (warningFilterInstalled) return;
  warningFilterInstalled = true;
  process.removeAllListeners('warning');
  process.on('warning', (warning) => {
    if (warning.name === 'TimeoutNegativeWarning') return;
    process.stderr.write(`${warning.name}: ${warning.message}\n`);
  });
}
