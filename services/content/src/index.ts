export * from './content.app';
export * from './content.config';
export * from './content.module';
export * from './storage/document-storage';
export * from './documents/file-type';
