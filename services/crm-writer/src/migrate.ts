import { createLogger } from '@telltale/telemetry';
import { runMigrationsAndExit } from '@telltale/runtime';
import { loadCrmWriterConfig } from './crm-writer.config';
import { createCrmWriterRuntime } from './crm-writer.app';

runMigrationsAndExit(() => createCrmWriterRuntime(loadCrmWriterConfig()), createLogger({ service: 'crm-writer' }));
