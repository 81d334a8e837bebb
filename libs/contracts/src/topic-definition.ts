import type { z } from 'zod';

export type ServiceName = 'app' | 'sequencer' | 'sender' | 'tracker' | 'mailbox-sync' | 'reply-detector' | 'crm-writer' | 'content';

/**
 * One Kafka topic of the public event API: its name, the schema of its value, how its key is chosen
 * and who produces/consumes it. Topic names are `<domain>.<event>.v<N>`; a breaking change is a new
 * topic version, never an edit of an existing schema.
 */
export interface TopicDefinition<S extends z.ZodType = z.ZodType> {
  readonly name: string;
  readonly eventType: string;
  readonly title: string;
  readonly description: string;
  readonly schema: S;
  /** The entity whose order matters; every event of one key lands on one partition. */
  readonly keyOf: (payload: z.output<S>) => string;
  readonly keyDescription: string;
  readonly producers: readonly ServiceName[];
  readonly consumers: readonly ServiceName[];
}

export function defineTopic<S extends z.ZodType>(definition: TopicDefinition<S>): TopicDefinition<S> {
  if (!/^[a-z]+(-[a-z]+)*\.[a-z]+(-[a-z]+)*\.v[1-9][0-9]*$/.test(definition.name)) {
    throw new Error(`topic name ${definition.name} does not follow <domain>.<event>.v<N>`);
  }
  return definition;
}

export type PayloadOf<T> = T extends TopicDefinition<infer S> ? z.output<S> : never;

/** Dead-letter topic of one consuming service: `<topic>.dlq.<service>` (docs/architecture.md). */
export function deadLetterTopicName(topic: string, service: ServiceName): string {
  return `${topic}.dlq.${service}`;
}
