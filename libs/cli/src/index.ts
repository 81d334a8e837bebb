export * from './classify-reply.command';
export * from './telltale-cli';
