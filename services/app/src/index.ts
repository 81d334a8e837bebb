export * from './app.app';
export * from './app.config';
