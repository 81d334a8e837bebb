export * from './sequencer.app';
export * from './sequencer.config';
export * from './sequencer.module';
export * from './sequencer.entities';
export * from './scheduling/step-dispatcher';
export * from './enrollments/enrollment-transitions';
export * from './mailboxes/mailbox-directory';
