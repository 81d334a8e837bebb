// Telemetry first: it patches modules as they load (docs/architecture.md, Observability).
import './instrument';
import { createLogger } from '@telltale/telemetry';
import { runUntilSignalled } from '@telltale/runtime';
import { loadReplyDetectorConfig } from './reply-detector.config';
import { startReplyDetector } from './reply-detector.app';

runUntilSignalled(() => startReplyDetector(loadReplyDetectorConfig()), createLogger({ service: 'reply-detector' }));
