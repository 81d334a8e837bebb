export * from './start-telemetry';
export * from './logger';
export * from './url-redaction';
