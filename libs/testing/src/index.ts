export * from './infrastructure';
export * from './salesforce';
export * from './gmail';
export * from './graph';
export * from './eventually';
