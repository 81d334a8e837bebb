import { randomBytes } from 'node:crypto';

export interface KafkaNodeConfig {
  host: string;
  brokerPort: number;
  controllerPort: number;
  logDirs: string;
  /** Absent: one PLAINTEXT listener on brokerPort (what `npm start` and `npm test` use). */
  security?: KafkaNodeSecurity;
}

export interface ScramUser {
  name: string;
  password: string;
}

/**
 * A broker that authenticates every client: brokerPort becomes a SASL_PLAINTEXT listener and, with
 * `tls`, a SASL_SSL listener is added; both take SCRAM-SHA-256 and SCRAM-SHA-512. The broker talks
 * to itself (inter-broker listener) as `brokerUser`, over SASL_PLAINTEXT on loopback. The users'
 * credentials are created when the storage is formatted (`kafkaScramFormatArguments`).
 */
export interface KafkaNodeSecurity {
  brokerUser: ScramUser;
  /** PKCS#12 key store holding the broker's key and certificate chain. */
  tls?: { port: number; keyStore: string; keyStorePassword: string };
}

export const KAFKA_SCRAM_MECHANISMS = ['SCRAM-SHA-256', 'SCRAM-SHA-512'] as const;

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
  const listeners = config.security === undefined ? [`PLAINTEXT://${broker}`] : securedListeners(config.host, config.brokerPort, config.security);
  listeners.push(`CONTROLLER://${controller}`);
  const entries: Array<readonly [string, string | number | boolean]> = [
    ['process.roles', 'broker,controller'],
    ['node.id', 1],
    ['controller.quorum.bootstrap.servers', controller],
    ['listeners', listeners.join(',')],
    ['advertised.listeners', listeners.join(',')],
    ['listener.security.protocol.map', 'PLAINTEXT:PLAINTEXT,SASL_PLAINTEXT:SASL_PLAINTEXT,SASL_SSL:SASL_SSL,CONTROLLER:PLAINTEXT'],
    ['controller.listener.names', 'CONTROLLER'],
    ['inter.broker.listener.name', config.security === undefined ? 'PLAINTEXT' : 'SASL_PLAINTEXT'],
    ...(config.security === undefined ? [] : securityEntries(config.security)),
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

function securedListeners(host: string, brokerPort: number, security: KafkaNodeSecurity): string[] {
  const listeners = [`SASL_PLAINTEXT://${host}:${brokerPort}`];
  if (security.tls) listeners.push(`SASL_SSL://${host}:${security.tls.port}`);
  return listeners;
}

function securityEntries(security: KafkaNodeSecurity): Array<readonly [string, string]> {
  // Every SASL listener needs a login module per mechanism; its user is the one the broker
  // presents when it connects to itself. Passwords here are generated hex, safe inside quotes.
  const jaas = `org.apache.kafka.common.security.scram.ScramLoginModule required username="${security.brokerUser.name}" password="${security.brokerUser.password}";`;
  const saslListeners = security.tls ? ['sasl_plaintext', 'sasl_ssl'] : ['sasl_plaintext'];
  const entries: Array<readonly [string, string]> = [
    ['sasl.enabled.mechanisms', KAFKA_SCRAM_MECHANISMS.join(',')],
    ['sasl.mechanism.inter.broker.protocol', 'SCRAM-SHA-512'],
  ];
  for (const listener of saslListeners) {
    for (const mechanism of KAFKA_SCRAM_MECHANISMS) {
      entries.push([`listener.name.${listener}.${mechanism.toLowerCase()}.sasl.jaas.config`, jaas]);
    }
  }
  if (security.tls) {
    entries.push(
      ['ssl.keystore.type', 'PKCS12'],
      ['ssl.keystore.location', security.tls.keyStore],
      ['ssl.keystore.password', security.tls.keyStorePassword],
      ['ssl.key.password', security.tls.keyStorePassword],
    );
  }
  return entries;
}

/**
 * `kafka-storage format` arguments creating SCRAM credentials (SHA-256 and SHA-512) for each user:
 * in KRaft they live in the cluster metadata, written when the storage is formatted (KIP-900).
 */
export function kafkaScramFormatArguments(users: readonly ScramUser[]): string[] {
  for (const user of users) {
    // The tool parses `[name=…,password=…]` itself: no separators inside the values.
    if (!/^[A-Za-z0-9._-]{1,100}$/.test(user.name) || !/^[A-Za-z0-9._-]{1,200}$/.test(user.password)) {
      throw new Error(`SCRAM user "${user.name}": name and password must be letters, digits, . _ - only`);
    }
  }
  return users.flatMap((user) =>
    KAFKA_SCRAM_MECHANISMS.flatMap((mechanism) => ['--add-scram', `${mechanism}=[name=${user.name},password=${user.password}]`]),
  );
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
