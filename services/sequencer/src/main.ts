// Telemetry first: it patches modules as they load (docs/architecture.md, Observability).
import './instrument';
import { createLogger } from '@telltale/telemetry';
import { runUntilSignalled } from '@telltale/runtime';
import { loadSequencerConfig } from './sequencer.config';
import { startSequencer } from './sequencer.app';

runUntilSignalled(() => startSequencer(loadSequencerConfig()), createLogger({ service: 'sequencer' }));
