// Telemetry first: it patches modules as they load (docs/architecture.md, Observability).
import './instrument';
import { createLogger } from '@telltale/telemetry';
import { runUntilSignalled } from '@telltale/runtime';
import { loadContentConfig } from './content.config';
import { startContent } from './content.app';

runUntilSignalled(() => startContent(loadContentConfig()), createLogger({ service: 'content' }));
