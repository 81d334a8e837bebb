export * from './reply-detector.app';
export * from './reply-detector.config';
export * from './reply-detector.module';
export * from './detection/reply-detector';
export * from './detection/reply-verdict';
export * from './detection/free-mail-domains';
