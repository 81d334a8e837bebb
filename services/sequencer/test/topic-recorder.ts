import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import type { z } from 'zod';
import { requiredEnv } from './sequencer-harness';

export interface TopicRecorder<T> {
  /** Every event read so far, in arrival order. */
  events: T[];
  stop(): Promise<void>;
}

/** Reads a topic (under the test's prefix) from the beginning into `events`, each checked against its schema. */
export async function recordTopic<S extends z.ZodType>(prefix: string, topic: { name: string }, schema: S, clientId: string): Promise<TopicRecorder<z.output<S>>> {
  const events: z.output<S>[] = [];
  const consumer = new Kafka({ clientId, brokers: requiredEnv('KAFKA_BROKERS').split(','), logLevel: logLevel.NOTHING }).consumer({ groupId: `${clientId}-${randomUUID()}` });
  await consumer.connect();
  await consumer.subscribe({ topic: prefix + topic.name, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) => {
      events.push(schema.parse(JSON.parse(message.value!.toString())));
    },
  });
  return { events, stop: () => consumer.disconnect() };
}
