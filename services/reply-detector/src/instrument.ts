import { startTelemetry } from '@telltale/telemetry';

startTelemetry({ serviceName: 'reply-detector' });
