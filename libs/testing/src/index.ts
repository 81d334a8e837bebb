export * from './infrastructure';
export * from './salesforce';
export * from './gmail';
export * from './graph';
export * from './hostile-messages';
export * from './eventually';
export * from './fuzz-options';
export * from './office-files';
