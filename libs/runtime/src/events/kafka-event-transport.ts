import { Server, type CustomTransportStrategy, type MessageHandler } from '@nestjs/microservices';
import { lastValueFrom } from 'rxjs';
import { allTopics, type TopicDefinition } from '@telltale/contracts';
import { subscribe, subscribeBatch, type BatchSubscription, type EventConsumer, type Subscription } from '@telltale/kafka';
import type { ServiceRuntime } from '../service-runtime';
import { EventContext } from './event-context';
import { eventHandlerOptions } from './event-handler-options';

/**
 * A Nest microservice transport over the service's own Kafka consumers (ADR 10): every
 * `@EventPattern(topicName)` handler of the service's controllers becomes a subscription of an
 * EventConsumer (libs/kafka), which keeps what ADR 1 asked for: headers and payload checked against
 * the topic's schema in libs/contracts, the event recorded as processed in the handler's own
 * transaction, bounded retries, dead letters to `<topic>.dlq.<service>`, the producer's trace
 * continued, consumer metrics. Handlers are called through Nest's pipeline (guards, pipes,
 * interceptors, filters) with the ConsumedEvent as `@Payload()` and an EventContext as `@Ctx()`.
 *
 * Started by `app.startAllMicroservices()` after the HTTP server listens (startService); consumers
 * join their groups then, in the background when the service does not need Kafka at start.
 */
export class KafkaEventTransport extends Server implements CustomTransportStrategy {
  private consumers: EventConsumer[] = [];

  constructor(private readonly runtime: ServiceRuntime) {
    super();
  }

  listen(callback: (err?: unknown) => void): void {
    this.start().then(
      () => callback(),
      (err: unknown) => callback(err),
    );
  }

  async close(): Promise<void> {
    const consumers = this.consumers;
    this.consumers = [];
    for (const consumer of consumers) await consumer.stop();
  }

  on(): never {
    throw new Error('the Kafka event transport has no events to listen to');
  }

  /** The service's running consumers, one per consumer group. */
  unwrap<T>(): T {
    return this.consumers as T;
  }

  private async start(): Promise<void> {
    for (const [name, subscriptions] of this.consumerGroups()) this.consumers.push(this.runtime.addConsumer(subscriptions, name || undefined));
    await this.runtime.startConsumers();
  }

  /** The handlers, checked and grouped by consumer name ('' for the service's own group). */
  private consumerGroups(): Map<string, (Subscription | BatchSubscription)[]> {
    const groups = new Map<string, { batch: boolean; subscriptions: (Subscription | BatchSubscription)[] }>();
    for (const [pattern, handler] of this.messageHandlers) {
      const topic = this.topicOf(pattern, handler);
      const { consumer = '', batch = false } = eventHandlerOptions(pattern, handler.extras);
      const group = groups.get(consumer) ?? { batch, subscriptions: [] };
      if (group.batch !== batch) throw new Error(`consumer '${consumer || this.runtime.service}' mixes batch and per-event handlers (${pattern}): give one of them its own consumer name`);
      group.subscriptions.push(
        batch
          ? subscribeBatch(topic, (events, manager) => this.invoke(handler, events, new EventContext(manager)))
          : subscribe(topic, (event, manager) => this.invoke(handler, event, new EventContext(manager))),
      );
      groups.set(consumer, group);
    }
    return new Map([...groups].map(([name, group]) => [name, group.subscriptions]));
  }

  private topicOf(pattern: string, handler: MessageHandler): TopicDefinition {
    const service = this.runtime.service;
    if (!handler.isEventHandler) throw new Error(`@MessagePattern('${pattern}'): Kafka events get no reply; use @EventPattern`);
    if (handler.next) throw new Error(`@EventPattern('${pattern}') is declared more than once in ${service}: one handler per topic`);
    const topic = allTopics.find((t) => t.name === pattern);
    if (!topic) throw new Error(`@EventPattern('${pattern}'): no such topic in libs/contracts (allTopics)`);
    if (!topic.consumers.includes(service)) throw new Error(`@EventPattern('${pattern}'): ${service} is not among the topic's consumers in libs/contracts`);
    return topic;
  }

  /** Calls the handler through Nest's pipeline; its error (passed through by HandlerErrorsToTransport) rejects. */
  private async invoke(handler: MessageHandler, data: unknown, context: EventContext): Promise<void> {
    await lastValueFrom(this.transformToObservable(handler(data, context)), { defaultValue: undefined });
  }
}
