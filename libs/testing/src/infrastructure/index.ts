export * from './infrastructure.types';
export * from './fixed-ports';
export * from './start-infrastructure';
export * from './test-database';
export * from './stale-process';
