// Telemetry first: it patches modules as they load (docs/architecture.md, Observability).
import './instrument';
import { createLogger } from '@telltale/telemetry';
import { runUntilSignalled } from '@telltale/runtime';
import { loadMailboxSyncConfig } from './mailbox-sync.config';
import { startMailboxSync } from './mailbox-sync.app';

runUntilSignalled(() => startMailboxSync(loadMailboxSyncConfig()), createLogger({ service: 'mailbox-sync' }));
