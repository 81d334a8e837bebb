export * from './service-data-source';
export * from './messaging-tables.migration';
export * from './clock';
