import { ProxyTracerProvider, trace } from '@opentelemetry/api';

/** The API's no-op provider: what a ProxyTracerProvider delegates to until an SDK registers one. */
const NO_PROVIDER = new ProxyTracerProvider().getDelegate();

/**
 * Whether a tracer provider is registered (spans are recorded and exported). Without one (no
 * exporter configured: see libs/telemetry), spans are non-recording and only pass on a trace that
 * arrived with the request, so a hit that brought none has no trace to carry and the hot path can
 * skip opening spans and injecting headers: the event's headers come out the same (empty).
 */
export function tracesRecorded(): boolean {
  const provider = trace.getTracerProvider();
  return !(provider instanceof ProxyTracerProvider) || provider.getDelegate() !== NO_PROVIDER;
}

/** Whether request or message headers carry trace context (W3C traceparent) or baggage. */
export function carriesTrace(headers: Readonly<Record<string, unknown>>): boolean {
  return headers.traceparent !== undefined || headers.baggage !== undefined;
}
