export * from './crm-writer.app';
export * from './crm-writer.config';
export * from './crm-writer.module';
