import { context, propagation, type Context } from '@opentelemetry/api';

/** W3C trace context of the active span, as Kafka header strings (traceparent, tracestate). */
export function currentTraceHeaders(): Record<string, string> {
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  return carrier;
}

/** The context a consumer continues from the headers of a message. */
export function contextFromHeaders(headers: Record<string, string>): Context {
  return propagation.extract(context.active(), headers);
}
