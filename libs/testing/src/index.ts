export * from './infrastructure';
export * from './salesforce';
export * from './gmail';
export * from './graph';
