import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace';
import { startTelemetry } from '@telltale/telemetry';
import { trackerTelemetry } from '../../src/tracker-telemetry';

/** Imported first by trace tests, as `instrument.ts` is by `main.ts`: http is patched before it loads. */
export const spanExporter = new InMemorySpanExporter();
startTelemetry({ ...trackerTelemetry, spanProcessors: [new SimpleSpanProcessor({ exporter: spanExporter })] });
