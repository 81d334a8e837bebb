export * from './reply-detector.app';
export * from './reply-detector.config';
export * from './reply-detector.module';
// The classification it runs (libs/replies), for callers that know the service.
export * from '@telltale/replies';
