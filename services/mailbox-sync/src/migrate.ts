import { createLogger } from '@telltale/telemetry';
import { runMigrationsAndExit } from '@telltale/runtime';
import { loadMailboxSyncConfig } from './mailbox-sync.config';
import { createMailboxSyncRuntime } from './mailbox-sync.app';

runMigrationsAndExit(() => createMailboxSyncRuntime(loadMailboxSyncConfig()), createLogger({ service: 'mailbox-sync' }));
