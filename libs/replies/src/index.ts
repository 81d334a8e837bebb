// Reply classification as pure functions: is an inbound message a reply, an auto-reply or a bounce,
// to which sent email, from whom. The reply-detector service runs it on every inbound message; the
// CLI (`telltale classify-reply`) runs the same code on .eml files.
export * from './reply-detector';
export * from './reply-verdict';
export * from './detection-context';
export * from './message-matcher';
export * from './bounce-classifier';
export * from './bounce-reason';
export * from './auto-reply-classifier';
export * from './return-date-extractor';
export * from './reply-languages';
export * from './unsubscribe-request';
export * from './thread-index';
export * from './sent-list-context';
export * from './classification-line';
export * from './feedback-report';
