export * from './infrastructure.types';
export * from './fixed-ports';
export * from './start-infrastructure';
export * from './test-database';
export * from './stale-process';
export * from './kafka-secured.local';
export * from './test-certificates';
export * from './free-port';
