export * from './eventually';
export * from './topic-recorder';
export * from './telltale-system';
