export * from './start-telemetry';
export * from './logger';
