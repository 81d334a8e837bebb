import { startTelemetry } from '@telltale/telemetry';

startTelemetry({ serviceName: 'crm-writer' });
