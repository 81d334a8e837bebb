export * from './service-config';
export * from './service-runtime';
export * from './health.controller';
export * from './runtime.module';
export * from './bootstrap-service';
export * from './request-validation';
export * from '@telltale/metrics';
export * from './kafka-security-config';
