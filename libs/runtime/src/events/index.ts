export * from './event-context';
export * from './event-handler-options';
export * from './kafka-event-transport';
export * from './connect-event-transport';
