import type { TelemetryOptions } from '@telltale/telemetry';

/**
 * The tracker's telemetry settings, shared by `instrument.ts` and the trace tests. The open pixel
 * opens its own server span (OpenPixelHandler): the generic HTTP instrumentation costs about as
 * much per request as everything else the pixel does together (ADR 0005).
 */
export const trackerTelemetry: TelemetryOptions = {
  serviceName: 'tracker',
  ignoreIncomingPath: (path) => path.startsWith('/o/'),
};
