export * from './kafka-connection';
export * from './trace-propagation';
export * from './event-envelope';
export * from './outbox-writer';
export * from './outbox-relay';
export * from './event-publisher';
export * from './event-consumer';
export * from './consumer-metrics';
