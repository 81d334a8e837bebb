import { createLogger } from '@telltale/telemetry';
import { runMigrationsAndExit } from '@telltale/runtime';
import { loadContentConfig } from './content.config';
import { createContentRuntime } from './content.app';

runMigrationsAndExit(() => createContentRuntime(loadContentConfig()), createLogger({ service: 'content' }));
