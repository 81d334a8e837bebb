import { startTelemetry } from '@telltale/telemetry';

startTelemetry({ serviceName: 'mailbox-sync' });
