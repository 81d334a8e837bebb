export * from './identity-token';
export * from './service-credentials';
export * from './access.decorators';
export * from './caller.guard';
export * from './identity-config';
export * from './local-identity';
export * from './route-table';
