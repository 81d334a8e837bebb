import type { Sampler, SpanProcessor, TracerProvider } from '@opentelemetry/sdk-trace';
import { redactedIncomingAttributes, redactedOutgoingAttributes } from './url-redaction';

let running: { provider: TracerProvider | null; disableInstrumentations: () => void } | null = null;

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

/* eslint-disable @typescript-eslint/no-require-imports */
/**
 * OTEL_TRACES_SAMPLER / OTEL_TRACES_SAMPLER_ARG as the OpenTelemetry SDK specification defines
 * them; unset means parent-based always-on. An unknown name stops start-up (configuration is
 * validated at start, docs/architecture.md), rather than silently tracing everything.
 */
export function samplerFromEnv(env: NodeJS.ProcessEnv = process.env): Sampler | undefined {
  const sdk = require('@opentelemetry/sdk-trace') as typeof import('@opentelemetry/sdk-trace');
  const name = env.OTEL_TRACES_SAMPLER?.trim();
  if (!name) return undefined;
  const ratio = (): number => {
    const text = env.OTEL_TRACES_SAMPLER_ARG?.trim();
    const value = text ? Number(text) : 1;
    if (!Number.isFinite(value) || value < 0 || value > 1) throw new Error(`OTEL_TRACES_SAMPLER_ARG: "${text}" is not a ratio between 0 and 1`);
    return value;
  };
  switch (name) {
    case 'always_on':
      return new sdk.AlwaysOnSampler();
    case 'always_off':
      return new sdk.AlwaysOffSampler();
    case 'traceidratio':
      return new sdk.TraceIdRatioBasedSampler(ratio());
    case 'parentbased_always_on':
      return new sdk.ParentBasedSampler({ root: new sdk.AlwaysOnSampler() });
    case 'parentbased_always_off':
      return new sdk.ParentBasedSampler({ root: new sdk.AlwaysOffSampler() });
    case 'parentbased_traceidratio':
      return new sdk.ParentBasedSampler({ root: new sdk.TraceIdRatioBasedSampler(ratio()) });
    default:
      throw new Error(`OTEL_TRACES_SAMPLER: "${name}" is not one of always_on, always_off, traceidratio, parentbased_always_on, parentbased_always_off, parentbased_traceidratio`);
  }
}

/**
 * Starts OpenTelemetry tracing. Must run before anything else is loaded (the http module is patched
 * when it is first required), which is why every service's `main.ts` imports its `instrument.ts` first.
 *
 * Built from the trace SDK's parts rather than `@opentelemetry/sdk-node`, which loads every
 * exporter, metrics and logs SDK at start (about 15 MB of resident memory per process, measured)
 * for signals we do not export. Honoured settings: OTEL_SDK_DISABLED, OTEL_SERVICE_NAME,
 * OTEL_RESOURCE_ATTRIBUTES, OTEL_TRACES_SAMPLER(_ARG), OTEL_PROPAGATORS (tracecontext, baggage,
 * none) and, for the OTLP/HTTP exporter used when OTEL_EXPORTER_OTLP_ENDPOINT is set, the
 * exporter's own OTEL_EXPORTER_OTLP_* variables. Without an endpoint (and no processor given) no
 * spans are recorded; trace context that arrives with a request or a Kafka message is still passed
 * on (logs and Kafka headers).
 */
export function startTelemetry(options: TelemetryOptions): void {
  if (running) return;
  silenceKnownWarnings();
  if (process.env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true') return;
  // Loaded here, not at import: code that only needs the logger or the warning filter (a worker
  // thread, a CLI) does not pay for the SDK's modules and memory.
  const api = require('@opentelemetry/api') as typeof import('@opentelemetry/api');
  const { AsyncLocalStorageContextManager } = require('@opentelemetry/context-async-hooks') as typeof import('@opentelemetry/context-async-hooks');
  const core = require('@opentelemetry/core') as typeof import('@opentelemetry/core');
  const resources = require('@opentelemetry/resources') as typeof import('@opentelemetry/resources');
  const sdk = require('@opentelemetry/sdk-trace') as typeof import('@opentelemetry/sdk-trace');
  const { registerInstrumentations } = require('@opentelemetry/instrumentation') as typeof import('@opentelemetry/instrumentation');
  const { HttpInstrumentation } = require('@opentelemetry/instrumentation-http') as typeof import('@opentelemetry/instrumentation-http');

  const processors: SpanProcessor[] = [...(options.spanProcessors ?? [])];
  if (process.env.OTEL_EXPORTER_OTLP_ENDPOINT || process.env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) {
    const { OTLPTraceExporter } = require('@opentelemetry/exporter-trace-otlp-http') as typeof import('@opentelemetry/exporter-trace-otlp-http');
    processors.push(new sdk.BatchSpanProcessor({ exporter: new OTLPTraceExporter() }));
  }
  // service.name: OTEL_SERVICE_NAME, else one given in OTEL_RESOURCE_ATTRIBUTES, else ours.
  const fromEnv = resources.detectResources({ detectors: [resources.resourceAttributesEnvDetector] });
  const serviceName = process.env.OTEL_SERVICE_NAME?.trim() || String(fromEnv.attributes['service.name'] ?? '') || options.serviceName;
  const resource = resources
    .defaultResource()
    .merge(resources.detectResources({ detectors: [resources.hostDetector, resources.processDetector, resources.serviceInstanceIdDetector] }))
    .merge(fromEnv)
    .merge(resources.resourceFromAttributes({ 'service.name': serviceName }));
  // No processor (no exporter configured): no SDK tracer at all, as the SDK does. Spans are then
  // non-recording and only carry on a trace that arrived with a request or a Kafka message.
  const sampler = samplerFromEnv();
  const provider = processors.length > 0 ? new sdk.TracerProvider({ resource, spanProcessors: processors, sampler }) : null;

  const propagatorNames = (process.env.OTEL_PROPAGATORS ?? 'tracecontext,baggage').split(',').map((n) => n.trim()).filter(Boolean);
  const unknown = propagatorNames.filter((n) => !['tracecontext', 'baggage', 'none'].includes(n));
  if (unknown.length > 0) throw new Error(`OTEL_PROPAGATORS: ${unknown.join(', ')} not supported (tracecontext, baggage, none)`);
  if (!propagatorNames.includes('none')) {
    const propagators = [
      ...(propagatorNames.includes('tracecontext') ? [new core.W3CTraceContextPropagator()] : []),
      ...(propagatorNames.includes('baggage') ? [new core.W3CBaggagePropagator()] : []),
    ];
    api.propagation.setGlobalPropagator(new core.CompositePropagator({ propagators }));
  }
  api.context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  if (provider) api.trace.setGlobalTracerProvider(provider);
  const disableInstrumentations = registerInstrumentations({
    tracerProvider: provider ?? api.trace.getTracerProvider(),
    instrumentations: [
      new HttpInstrumentation({
        // Health probes and Prometheus scrapes (the metrics port) would drown real traces.
        ignoreIncomingRequestHook: (req) => {
          const path = req.url ?? '';
          return path.startsWith('/health') || path === '/metrics' || (options.ignoreIncomingPath?.(path) ?? false);
        },
        // No secrets in span attributes: tracking tokens in paths, OAuth codes and states, tokens
        // and email addresses in query strings (url-redaction.ts). These replace the attributes the
        // instrumentation derives from the URL.
        startIncomingSpanHook: (req) => redactedIncomingAttributes(req.url),
        startOutgoingSpanHook: (request) => redactedOutgoingAttributes(request),
      }),
    ],
  });
  running = { provider, disableInstrumentations };
}
/* eslint-enable @typescript-eslint/no-require-imports */

/** Flushes spans still queued for export and stops tracing. */
export async function stopTelemetry(): Promise<void> {
  const current = running;
  running = null;
  if (!current) return;
  current.disableInstrumentations();
  await current.provider?.shutdown();
  const api = await import('@opentelemetry/api');
  api.trace.disable();
  api.context.disable();
  api.propagation.disable();
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
