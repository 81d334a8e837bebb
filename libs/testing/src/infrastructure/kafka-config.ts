import { randomBytes } from 'node:crypto';

export interface KafkaNodeConfig {
  host: string;
  brokerPort: number;
  controllerPort: number;
  logDirs: string;
}

/**
 * server.properties for one KRaft node in combined mode (broker + controller in one JVM).
 *
 * The quorum is found through `controller.quorum.bootstrap.servers` (KIP-853 dynamic quorum, the
 * form `kafka-storage format --standalone` sets up); it must not be combined with the static
 * `controller.quorum.voters`, which Kafka rejects. With one broker every internal topic must use
 * replication factor 1 and min ISR 1, or transactions and consumer groups never become available.
 */
export function renderKafkaServerProperties(config: KafkaNodeConfig): string {
  const broker = `${config.host}:${config.brokerPort}`;
  const controller = `${config.host}:${config.controllerPort}`;
  const entries: ReadonlyArray<readonly [string, string | number | boolean]> = [
    ['process.roles', 'broker,controller'],
    ['node.id', 1],
    ['controller.quorum.bootstrap.servers', controller],
    ['listeners', `PLAINTEXT://${broker},CONTROLLER://${controller}`],
    ['advertised.listeners', `PLAINTEXT://${broker},CONTROLLER://${controller}`],
    ['listener.security.protocol.map', 'PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT'],
    ['controller.listener.names', 'CONTROLLER'],
    ['inter.broker.listener.name', 'PLAINTEXT'],
    ['log.dirs', config.logDirs],
    ['num.partitions', 1],
    // Internal topics default to 50 partitions; one is plenty locally and loads in a fraction of
    // the time after a restart.
    ['offsets.topic.num.partitions', 1],
    ['transaction.state.log.num.partitions', 1],
    ['offsets.topic.replication.factor', 1],
    ['transaction.state.log.replication.factor', 1],
    ['transaction.state.log.min.isr', 1],
    ['share.coordinator.state.topic.replication.factor', 1],
    ['share.coordinator.state.topic.min.isr', 1],
    // Consumers in tests join one at a time; the default 3 s delay only slows the first rebalance.
    ['group.initial.rebalance.delay.ms', 0],
    ['auto.create.topics.enable', true],
  ];
  return `${entries.map(([key, value]) => `${key}=${escapePropertyValue(String(value))}`).join('\n')}\n`;
}

/** java.util.Properties treats backslash as an escape; Windows-style paths would need doubling. */
function escapePropertyValue(value: string): string {
  return value.replaceAll('\\', '\\\\');
}

/** Log4j 2 configuration: everything to one file, nothing on the console. */
export function renderKafkaLog4j2Properties(logFile: string): string {
  return [
    'status = warn',
    'appender.file.type = File',
    'appender.file.name = file',
    `appender.file.fileName = ${escapePropertyValue(logFile)}`,
    'appender.file.layout.type = PatternLayout',
    'appender.file.layout.pattern = [%d] %p %m (%c)%n',
    'rootLogger.level = info',
    'rootLogger.appenderRef.file.ref = file',
    '',
  ].join('\n');
}

/**
 * A cluster id as Kafka prints it: 16 random bytes, URL-safe base64 without padding. Kafka's own
 * generator avoids ids starting with "-" so they are not read as a command-line flag.
 */
export function newKafkaClusterId(random: (size: number) => Buffer = randomBytes): string {
  for (;;) {
    const id = random(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}
