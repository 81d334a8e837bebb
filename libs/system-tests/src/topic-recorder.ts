import { randomUUID } from 'node:crypto';
import type { Consumer, Kafka } from 'kafkajs';
import { headersToStrings } from '@telltale/kafka';
import { eventually } from './eventually';

export interface RecordedMessage {
  topic: string;
  key: string | null;
  value: unknown;
  rawValue: Buffer | null;
  headers: Record<string, string>;
}

/** Reads topics from the beginning into memory so tests can assert on (and replay) real events. */
export class TopicRecorder {
  readonly messages: RecordedMessage[] = [];
  private consumer: Consumer | null = null;

  constructor(
    private readonly kafka: Kafka,
    private readonly topics: string[],
  ) {}

  async start(): Promise<void> {
    const consumer = this.kafka.consumer({ groupId: `test-recorder-${randomUUID()}`, maxWaitTimeInMs: 100 });
    this.consumer = consumer;
    const joined = new Promise<void>((resolve) => consumer.on(consumer.events.GROUP_JOIN, () => resolve()));
    await consumer.connect();
    await consumer.subscribe({ topics: this.topics, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ topic, message }) => {
        const text = message.value?.toString('utf8') ?? null;
        let value: unknown = text;
        try {
          value = text === null ? null : JSON.parse(text);
        } catch {
          /* keep the raw text: some tests send garbage on purpose */
        }
        this.messages.push({ topic, key: message.key?.toString('utf8') ?? null, value, rawValue: message.value, headers: headersToStrings(message.headers) });
      },
    });
    await joined;
  }

  async stop(): Promise<void> {
    await this.consumer?.disconnect();
  }

  on(topic: string): RecordedMessage[] {
    return this.messages.filter((m) => m.topic === topic);
  }

  waitFor(topic: string, predicate: (m: RecordedMessage) => boolean = () => true, timeoutMs = 30_000): Promise<RecordedMessage> {
    return eventually(`a message on ${topic}`, () => this.on(topic).find(predicate), { timeoutMs });
  }
}
