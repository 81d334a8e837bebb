export * from './metrics-registry';
export * from './metrics-server';
export * from './shared-metrics';
export * from './metrics-text';
