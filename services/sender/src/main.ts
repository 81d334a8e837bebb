// Telemetry first: it patches modules as they load (docs/architecture.md, Observability).
import './instrument';
import { createLogger } from '@telltale/telemetry';
import { runUntilSignalled } from '@telltale/runtime';
import { loadSenderConfig } from './sender.config';
import { startSender } from './sender.app';

runUntilSignalled(() => startSender(loadSenderConfig()), createLogger({ service: 'sender' }));
