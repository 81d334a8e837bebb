import { createLogger } from '@telltale/telemetry';
import { runMigrationsAndExit } from '@telltale/runtime';
import { loadAppConfigSync } from './app.config';
import { createAppRuntime } from './app.app';

runMigrationsAndExit(() => createAppRuntime(loadAppConfigSync()), createLogger({ service: 'app' }));
