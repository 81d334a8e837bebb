import { join } from 'node:path';
import { CONTAINER_IMAGES } from './container-images';
import { logToFile } from './container-logs';
import type { KafkaEndpoint, StartedComponent } from './infrastructure.types';
import { newKafkaClusterId } from './kafka-config';
import { probeKafka } from './kafka-readiness';
import { waitUntil } from './wait-until';

const CLIENT_PORT = 9092;
const STARTER_SCRIPT = '/tmp/telltale-kafka-start.sh';
const STARTER_READY = '/tmp/telltale-kafka-start.ready';

/**
 * Kafka in an apache/kafka container. Clients must be told the host and the *published* port, which
 * exist only once the container runs, so the container first waits for a start script; we copy it
 * in with the advertised listener filled in, then a second empty file saying the script is
 * complete (the approach of testcontainers' own Kafka modules). The image's configuration only
 * supports a static voter set, hence `KAFKA_CONTROLLER_QUORUM_VOTERS` here.
 */
export async function startKafkaContainer(options: {
  dataDir: string;
  hostPort: number | undefined;
}): Promise<StartedComponent<KafkaEndpoint>> {
  const { GenericContainer, Wait } = await import('testcontainers');
  const container = await new GenericContainer(CONTAINER_IMAGES.kafka)
    .withEnvironment({
      CLUSTER_ID: newKafkaClusterId(),
      KAFKA_NODE_ID: '1',
      KAFKA_PROCESS_ROLES: 'broker,controller',
      KAFKA_LISTENERS: 'PLAINTEXT://0.0.0.0:9092,BROKER://0.0.0.0:9094,CONTROLLER://0.0.0.0:9093',
      KAFKA_LISTENER_SECURITY_PROTOCOL_MAP: 'PLAINTEXT:PLAINTEXT,BROKER:PLAINTEXT,CONTROLLER:PLAINTEXT',
      KAFKA_INTER_BROKER_LISTENER_NAME: 'BROKER',
      KAFKA_CONTROLLER_LISTENER_NAMES: 'CONTROLLER',
      KAFKA_CONTROLLER_QUORUM_VOTERS: '1@localhost:9093',
      KAFKA_NUM_PARTITIONS: '1',
      KAFKA_OFFSETS_TOPIC_NUM_PARTITIONS: '1',
      KAFKA_TRANSACTION_STATE_LOG_NUM_PARTITIONS: '1',
      KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR: '1',
      KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR: '1',
      KAFKA_TRANSACTION_STATE_LOG_MIN_ISR: '1',
      KAFKA_SHARE_COORDINATOR_STATE_TOPIC_REPLICATION_FACTOR: '1',
      KAFKA_SHARE_COORDINATOR_STATE_TOPIC_MIN_ISR: '1',
      KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS: '0',
      KAFKA_AUTO_CREATE_TOPICS_ENABLE: 'true',
    })
    .withCommand(['sh', '-c', `while [ ! -f ${STARTER_READY} ]; do sleep 0.1; done; exec sh ${STARTER_SCRIPT}`])
    .withExposedPorts(options.hostPort === undefined ? CLIENT_PORT : { container: CLIENT_PORT, host: options.hostPort })
    // Nothing listens until the script arrives, so the start itself must not wait for ports.
    .withWaitStrategy(Wait.forSuccessfulCommand('true'))
    .withStartupTimeout(120_000)
    .withLogConsumer(logToFile(join(options.dataDir, 'kafka-container.log')))
    .start();

  const host = container.getHost();
  const port = container.getMappedPort(CLIENT_PORT);
  const brokers = [`${host}:${port}`];
  try {
    const script = [
      `export KAFKA_ADVERTISED_LISTENERS='PLAINTEXT://${host}:${port},BROKER://localhost:9094'`,
      'exec /etc/kafka/docker/run',
      '',
    ].join('\n');
    await container.copyContentToContainer([{ content: script, target: STARTER_SCRIPT, mode: 0o755 }]);
    await container.copyContentToContainer([{ content: '', target: STARTER_READY }]);
    await waitUntil(() => probeKafka(brokers, 'writable'), {
      what: `Kafka container on ${brokers[0]} to accept a topic`,
      timeoutMs: 90_000,
      intervalMs: 500,
    });
  } catch (error) {
    await container.stop();
    throw error;
  }
  return {
    source: 'container',
    endpoint: { brokers },
    stop: async () => {
      await container.stop();
    },
  };
}
