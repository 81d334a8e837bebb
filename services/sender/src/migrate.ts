import { createLogger } from '@telltale/telemetry';
import { runMigrationsAndExit } from '@telltale/runtime';
import { loadSenderConfig } from './sender.config';
import { createSenderRuntime } from './sender.app';

runMigrationsAndExit(() => createSenderRuntime(loadSenderConfig()), createLogger({ service: 'sender' }));
