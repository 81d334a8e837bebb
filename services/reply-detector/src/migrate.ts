import { createLogger } from '@telltale/telemetry';
import { runMigrationsAndExit } from '@telltale/runtime';
import { loadReplyDetectorConfig } from './reply-detector.config';
import { createReplyDetectorRuntime } from './reply-detector.app';

runMigrationsAndExit(() => createReplyDetectorRuntime(loadReplyDetectorConfig()), createLogger({ service: 'reply-detector' }));
