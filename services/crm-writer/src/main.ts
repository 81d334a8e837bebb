// Telemetry first: it patches modules as they load (docs/architecture.md, Observability).
import './instrument';
import { createLogger } from '@telltale/telemetry';
import { runUntilSignalled } from '@telltale/runtime';
import { loadCrmWriterConfig } from './crm-writer.config';
import { startCrmWriter } from './crm-writer.app';

runUntilSignalled(() => startCrmWriter(loadCrmWriterConfig()), createLogger({ service: 'crm-writer' }));
