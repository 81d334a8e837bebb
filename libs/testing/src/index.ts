export * from './infrastructure';
export * from './salesforce';
