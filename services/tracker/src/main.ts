// Telemetry first: it patches modules as they load (docs/architecture.md, Observability).
import './instrument';
import { createLogger } from '@telltale/telemetry';
import { runUntilSignalled } from '@telltale/runtime';
import { loadTrackerConfig } from './tracker.config';
import { startTracker } from './tracker.app';

runUntilSignalled(() => startTracker(loadTrackerConfig()), createLogger({ service: 'tracker' }));
