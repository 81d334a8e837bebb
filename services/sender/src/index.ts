export * from './sender.app';
export * from './sender.config';
export * from './sender.module';
export * from './sending/tracked-email-renderer';
export * from './throttle/pg-mailbox-send-throttle';
