import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace';
import { startTelemetry } from '../../src';

/** Imported first, as `instrument.ts` is by `main.ts`: http is patched before it loads. */
export const spanExporter = new InMemorySpanExporter();
startTelemetry({ serviceName: 'telemetry-test', spanProcessors: [new SimpleSpanProcessor({ exporter: spanExporter })] });
