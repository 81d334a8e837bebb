// Telemetry first: it patches modules as they load (docs/architecture.md, Observability).
import './instrument';
import { createLogger } from '@telltale/telemetry';
import { runUntilSignalled } from '@telltale/runtime';
import { loadAppConfig } from './app.config';
import { startApp } from './app.app';

runUntilSignalled(async () => startApp(await loadAppConfig()), createLogger({ service: 'app' }));
