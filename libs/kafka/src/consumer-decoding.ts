import { EventHeaders, type TopicDefinition } from '@telltale/contracts';
import type { ConsumedEvent, OriginalMessage } from './consumed-event';

export type Decoded = { ok: true; event: ConsumedEvent<unknown> } | { ok: false; reason: string; error: string };

/**
 * Checks a message's headers, that its value is JSON and that it fits the topic's schema; a failure
 * names what was wrong (field paths and messages, never the value itself). Both modes use it.
 */
export function decodeEvent(topic: TopicDefinition, original: OriginalMessage): Decoded {
  const parsedHeaders = EventHeaders.safeParse(original.headers);
  if (!parsedHeaders.success) {
    return { ok: false, reason: 'invalid', error: `headers: ${parsedHeaders.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}` };
  }
  let json: unknown;
  try {
    json = JSON.parse(original.value?.toString('utf8') ?? 'null');
  } catch (err) {
    return { ok: false, reason: 'invalid', error: `value is not JSON: ${(err as Error).message}` };
  }
  const parsed = topic.schema.safeParse(json);
  if (!parsed.success) {
    return { ok: false, reason: 'invalid', error: `payload: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}` };
  }
  const h = parsedHeaders.data;
  return {
    ok: true,
    event: {
      eventId: h['event-id'],
      eventType: h['event-type'],
      occurredAt: new Date(h['occurred-at']),
      orgId: h['org-id'],
      topic: original.topic,
      key: original.key?.toString('utf8') ?? null,
      partition: original.partition,
      offset: original.offset,
      payload: parsed.data,
    },
  };
}
