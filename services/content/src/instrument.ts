import { startTelemetry } from '@telltale/telemetry';

startTelemetry({ serviceName: 'content' });
