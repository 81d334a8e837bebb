import { startTelemetry } from '@telltale/telemetry';

startTelemetry({ serviceName: 'app' });
