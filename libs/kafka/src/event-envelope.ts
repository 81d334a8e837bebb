import { randomUUID } from 'node:crypto';
import type { IHeaders } from 'kafkajs';
import { EventHeaders, type TopicDefinition, type PayloadOf } from '@telltale/contracts';
import { currentTraceHeaders } from './trace-propagation';

export interface EventMeta {
  orgId: string;
  /** Defaults to a fresh UUID; pass one to make a re-emission idempotent downstream. */
  eventId?: string;
  occurredAt?: Date;
}

/** A validated event, ready for the outbox or a producer. */
export interface OutgoingEvent {
  eventId: string;
  topic: string;
  key: string;
  payload: unknown;
  headers: Record<string, string>;
}

export class InvalidEventError extends Error {
  constructor(
    readonly topic: string,
    readonly issues: string,
  ) {
    super(`invalid ${topic} event: ${issues}`);
    this.name = 'InvalidEventError';
  }
}

/** Validates on produce (docs/architecture.md: schemas are checked on produce *and* on consume). */
export function buildEvent<T extends TopicDefinition>(topic: T, payload: PayloadOf<T>, meta: EventMeta): OutgoingEvent {
  const parsed = topic.schema.safeParse(payload);
  if (!parsed.success) throw new InvalidEventError(topic.name, parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; '));
  const value = parsed.data as PayloadOf<T>;
  const eventId = meta.eventId ?? randomUUID();
  const headers: Record<string, string> = {
    'event-id': eventId,
    'event-type': topic.eventType,
    'occurred-at': (meta.occurredAt ?? new Date()).toISOString(),
    'org-id': meta.orgId,
    ...currentTraceHeaders(),
  };
  const checked = EventHeaders.safeParse(headers);
  if (!checked.success) throw new InvalidEventError(topic.name, `headers: ${checked.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return { eventId, topic: topic.name, key: topic.keyOf(value), payload: value, headers };
}

/** Kafka header values arrive as Buffers (or arrays of them); we use the first value as a string. */
export function headersToStrings(headers: IHeaders | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, raw] of Object.entries(headers ?? {})) {
    const value = Array.isArray(raw) ? raw[0] : raw;
    if (value === undefined) continue;
    out[name] = Buffer.isBuffer(value) ? value.toString('utf8') : String(value);
  }
  return out;
}
