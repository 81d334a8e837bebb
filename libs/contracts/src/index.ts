export * from './primitives';
export * from './headers';
export * from './topic-definition';
export * from './topics';
export * from './asyncapi/asyncapi-document';
export * from './asyncapi/asyncapi-location';
export * from './assert-never';
export * from './key-spec';
