import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  kafkaScramFormatArguments,
  newKafkaClusterId,
  renderKafkaLog4j2Properties,
  renderKafkaServerProperties,
} from '../src/infrastructure/kafka-config';

function parseProperties(text: string): Map<string, string> {
  const entries = text
    .split('\n')
    .filter((line) => line.trim() !== '' && !line.startsWith('#'))
    .map((line): [string, string] => {
      const at = line.indexOf('=');
      return [line.slice(0, at).trim(), line.slice(at + 1).trim()];
    });
  return new Map(entries);
}

describe('renderKafkaServerProperties', () => {
  const properties = parseProperties(
    renderKafkaServerProperties({ host: '127.0.0.1', brokerPort: 19092, controllerPort: 19093, logDirs: '/data/kafka' }),
  );

  const expected: [string, string][] = [
    ['process.roles', 'broker,controller'],
    ['controller.quorum.bootstrap.servers', '127.0.0.1:19093'],
    ['listeners', 'PLAINTEXT://127.0.0.1:19092,CONTROLLER://127.0.0.1:19093'],
    ['controller.listener.names', 'CONTROLLER'],
    ['log.dirs', '/data/kafka'],
    ['offsets.topic.replication.factor', '1'],
    ['transaction.state.log.replication.factor', '1'],
    ['transaction.state.log.min.isr', '1'],
    ['group.initial.rebalance.delay.ms', '0'],
    ['auto.create.topics.enable', 'true'],
  ];
  for (const [key, value] of expected) {
    it(`${key}=${value}`, () => {
      assert.equal(properties.get(key), value);
    });
  }

  it('never sets the static voter list next to the bootstrap servers', () => {
    assert.equal(properties.has('controller.quorum.voters'), false);
  });

  it('binds and advertises loopback only', () => {
    for (const key of ['listeners', 'advertised.listeners']) {
      for (const listener of (properties.get(key) ?? '').split(',')) {
        assert.match(listener, /^[A-Z]+:\/\/127\.0\.0\.1:\d+$/);
      }
    }
  });
});

describe('renderKafkaServerProperties with SASL and TLS (the secured test broker)', () => {
  const security = {
    brokerUser: { name: 'broker', password: 'b1' },
    tls: { port: 19094, keyStore: '/data/tls/server.p12', keyStorePassword: 'ks' },
  };
  const properties = parseProperties(
    renderKafkaServerProperties({ host: '127.0.0.1', brokerPort: 19092, controllerPort: 19093, logDirs: '/data/kafka', security }),
  );

  it('has no PLAINTEXT listener for clients: SASL_PLAINTEXT, SASL_SSL, and the controller', () => {
    assert.equal(properties.get('listeners'), 'SASL_PLAINTEXT://127.0.0.1:19092,SASL_SSL://127.0.0.1:19094,CONTROLLER://127.0.0.1:19093');
    assert.equal(properties.get('inter.broker.listener.name'), 'SASL_PLAINTEXT');
    assert.equal(properties.get('sasl.enabled.mechanisms'), 'SCRAM-SHA-256,SCRAM-SHA-512');
  });

  it('gives each SASL listener a SCRAM login module per mechanism, as the broker user', () => {
    for (const listener of ['sasl_plaintext', 'sasl_ssl']) {
      for (const mechanism of ['scram-sha-256', 'scram-sha-512']) {
        assert.match(properties.get(`listener.name.${listener}.${mechanism}.sasl.jaas.config`) ?? '', /ScramLoginModule required username="broker" password="b1";$/);
      }
    }
  });

  it('serves TLS from the PKCS#12 key store', () => {
    assert.equal(properties.get('ssl.keystore.type'), 'PKCS12');
    assert.equal(properties.get('ssl.keystore.location'), '/data/tls/server.p12');
  });
});

describe('kafkaScramFormatArguments', () => {
  it('adds SHA-256 and SHA-512 credentials for each user', () => {
    assert.deepEqual(kafkaScramFormatArguments([{ name: 'svc', password: 'p1' }]), [
      '--add-scram',
      'SCRAM-SHA-256=[name=svc,password=p1]',
      '--add-scram',
      'SCRAM-SHA-512=[name=svc,password=p1]',
    ]);
  });

  it('refuses values that would break the tool\'s [name=…,password=…] syntax', () => {
    assert.throws(() => kafkaScramFormatArguments([{ name: 'svc', password: 'a,b]' }]), /letters, digits/);
  });
});

describe('renderKafkaLog4j2Properties', () => {
  it('logs to the given file and has no console appender', () => {
    const text = renderKafkaLog4j2Properties('/data/kafka/logs/server.log');
    assert.match(text, /appender\.file\.fileName = \/data\/kafka\/logs\/server\.log/);
    assert.doesNotMatch(text, /Console/i);
  });
});

describe('newKafkaClusterId', () => {
  it('is 16 bytes as URL-safe base64 without padding', () => {
    const id = newKafkaClusterId(() => Buffer.alloc(16, 0xab));
    assert.equal(id, Buffer.alloc(16, 0xab).toString('base64url'));
    assert.equal(id.length, 22);
  });

  it('draws again when an id would start with "-"', () => {
    // 0xf8 0x00… encodes to "-A…" in URL-safe base64.
    const draws = [Buffer.from([0xf8, ...new Array<number>(15).fill(0)]), Buffer.alloc(16, 1)];
    const id = newKafkaClusterId(() => draws.shift() ?? Buffer.alloc(16, 2));
    assert.equal(id, Buffer.alloc(16, 1).toString('base64url'));
  });
});
