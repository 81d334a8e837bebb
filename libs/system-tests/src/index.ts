export * from './eventually';
export * from './topic-recorder';
export * from './telltale-system';
export * from './system-api';
export * from './service-processes';
export * from './identity-system';
export * from './web-browser';
export * from './mail-inbox';
