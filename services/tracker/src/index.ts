export * from './tracker.app';
export * from './tracker.config';
export * from './tracker.module';
export * from './hits/hit-classifier';
export { TRANSPARENT_GIF } from './hits/tracking.controller';
