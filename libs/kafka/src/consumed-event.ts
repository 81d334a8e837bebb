import type { KafkaMessage } from 'kafkajs';
import type { EntityManager } from 'typeorm';
import type { PayloadOf, TopicDefinition } from '@telltale/contracts';
import { headersToStrings } from './event-envelope';

/** An event as a handler receives it: its validated payload and the headers' facts. */
export interface ConsumedEvent<P> {
  eventId: string;
  eventType: string;
  occurredAt: Date;
  orgId: string;
  topic: string;
  key: string | null;
  partition: number;
  offset: string;
  payload: P;
}

export interface Subscription<T extends TopicDefinition = TopicDefinition> {
  topic: T;
  /** Runs inside the transaction that records the event id: effect and dedupe commit together. */
  handle(event: ConsumedEvent<PayloadOf<T>>, manager: EntityManager): Promise<void>;
}

export function subscribe<T extends TopicDefinition>(topic: T, handle: Subscription<T>['handle']): Subscription {
  return { topic, handle } as unknown as Subscription;
}

/**
 * Takes the events of a fetched batch together, in partition order, one transaction per chunk: for
 * high-volume topics where a transaction per event would cost more than the work (the tracker's
 * engagement store). No processed-event rows are kept: delivery is at least once and the handler
 * must be idempotent by itself (e.g. the event id as primary key, `ON CONFLICT DO NOTHING`).
 */
export interface BatchSubscription<T extends TopicDefinition = TopicDefinition> {
  topic: T;
  handleBatch(events: ConsumedEvent<PayloadOf<T>>[], manager: EntityManager): Promise<void>;
}

export function subscribeBatch<T extends TopicDefinition>(topic: T, handleBatch: BatchSubscription<T>['handleBatch']): BatchSubscription {
  return { topic, handleBatch } as unknown as BatchSubscription;
}

export const isBatch = (s: Subscription | BatchSubscription): s is BatchSubscription => 'handleBatch' in s;

/** A message as fetched: what a dead letter carries unchanged. */
export interface OriginalMessage {
  topic: string;
  partition: number;
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  headers: Record<string, string>;
}

export function originalOf(topic: string, partition: number, message: KafkaMessage): OriginalMessage {
  return { topic, partition, offset: message.offset, key: message.key, value: message.value, headers: headersToStrings(message.headers) };
}

/** How one event ended (a batch chunk counts its events as handled). */
export type Outcome = { kind: 'handled' } | { kind: 'duplicate' } | { kind: 'dead-lettered'; reason: string };
