export * from './mailbox-sync.app';
export * from './mailbox-sync.config';
export * from './mailbox-sync.module';
