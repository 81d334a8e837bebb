import { startTelemetry } from '@telltale/telemetry';
import { trackerTelemetry } from './tracker-telemetry';

startTelemetry(trackerTelemetry);
