import { createLogger } from '@telltale/telemetry';
import { runMigrationsAndExit } from '@telltale/runtime';
import { loadTrackerConfig } from './tracker.config';
import { createTrackerRuntime } from './tracker.app';

runMigrationsAndExit(() => createTrackerRuntime(loadTrackerConfig()), createLogger({ service: 'tracker' }));
