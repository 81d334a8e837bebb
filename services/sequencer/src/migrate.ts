import { createLogger } from '@telltale/telemetry';
import { runMigrationsAndExit } from '@telltale/runtime';
import { loadSequencerConfig } from './sequencer.config';
import { createSequencerRuntime } from './sequencer.app';

runMigrationsAndExit(() => createSequencerRuntime(loadSequencerConfig()), createLogger({ service: 'sequencer' }));
