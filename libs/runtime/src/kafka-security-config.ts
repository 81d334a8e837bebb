import { readFileSync } from 'node:fs';
import type { KafkaSaslMechanism, KafkaSecurity } from '@telltale/kafka';
import { ConfigError } from './service-config';

/** The KAFKA_SSL* and KAFKA_SASL* variables of `baseConfigShape`, as `loadConfig` returns them. */
export interface KafkaSecurityConfig {
  KAFKA_SSL: boolean;
  KAFKA_SSL_CA_FILE?: string | undefined;
  KAFKA_SSL_REJECT_UNAUTHORIZED: boolean;
  KAFKA_SASL_MECHANISM?: KafkaSaslMechanism | undefined;
  KAFKA_SASL_USERNAME?: string | undefined;
  KAFKA_SASL_PASSWORD?: string | undefined;
  KAFKA_SASL_PASSWORD_FILE?: string | undefined;
}

/** Variables that only make sense together; each problem names the variable, never a value. */
export function kafkaSecurityProblems(config: KafkaSecurityConfig): string[] {
  const problems: string[] = [];
  if (config.KAFKA_SSL_CA_FILE !== undefined && !config.KAFKA_SSL) {
    problems.push('KAFKA_SSL_CA_FILE: set, but KAFKA_SSL is not true (the CA would not be used)');
  }
  const hasPassword = config.KAFKA_SASL_PASSWORD !== undefined;
  const hasPasswordFile = config.KAFKA_SASL_PASSWORD_FILE !== undefined;
  if (config.KAFKA_SASL_MECHANISM !== undefined) {
    const given = `KAFKA_SASL_MECHANISM is ${config.KAFKA_SASL_MECHANISM}`;
    if (config.KAFKA_SASL_USERNAME === undefined) problems.push(`KAFKA_SASL_USERNAME: required when ${given}`);
    if (!hasPassword && !hasPasswordFile) problems.push(`KAFKA_SASL_PASSWORD: required (or KAFKA_SASL_PASSWORD_FILE) when ${given}`);
    if (hasPassword && hasPasswordFile) problems.push('KAFKA_SASL_PASSWORD_FILE: set only one of KAFKA_SASL_PASSWORD and KAFKA_SASL_PASSWORD_FILE');
  } else {
    // Credentials without a mechanism would silently connect unauthenticated.
    const set = (['KAFKA_SASL_USERNAME', 'KAFKA_SASL_PASSWORD', 'KAFKA_SASL_PASSWORD_FILE'] as const).filter((name) => config[name] !== undefined);
    if (set.length > 0) problems.push(`KAFKA_SASL_MECHANISM: required when ${set.join(' and ')} ${set.length > 1 ? 'are' : 'is'} set (scram-sha-256, scram-sha-512 or plain)`);
  }
  return problems;
}

export type ReadConfigFile = (path: string) => string;

const readUtf8: ReadConfigFile = (path) => readFileSync(path, 'utf8');

/**
 * TLS and SASL for a service's Kafka clients: checks the variables together and reads the CA and
 * password files (at start-up, once). Throws a ConfigError naming the variable, never printing the
 * password or a file's content. Nothing set: plaintext, unauthenticated (the local broker).
 */
export function kafkaClientSecurity(config: KafkaSecurityConfig, readFile: ReadConfigFile = readUtf8): KafkaSecurity {
  const problems = kafkaSecurityProblems(config);
  if (problems.length > 0) throw new ConfigError(problems);
  const security: KafkaSecurity = {};
  if (config.KAFKA_SSL) {
    const caFile = config.KAFKA_SSL_CA_FILE;
    const ca = caFile === undefined ? undefined : readConfigFile(readFile, 'KAFKA_SSL_CA_FILE', caFile);
    if (ca !== undefined && !ca.includes('-----BEGIN CERTIFICATE-----')) {
      throw new ConfigError([`KAFKA_SSL_CA_FILE: ${caFile} holds no PEM certificate (-----BEGIN CERTIFICATE-----)`]);
    }
    security.ssl = { rejectUnauthorized: config.KAFKA_SSL_REJECT_UNAUTHORIZED, ...(ca === undefined ? {} : { ca }) };
  }
  const mechanism = config.KAFKA_SASL_MECHANISM;
  if (mechanism !== undefined) {
    const passwordFile = config.KAFKA_SASL_PASSWORD_FILE;
    // A Secret written with `echo` ends in a newline that is not part of the password.
    const password =
      passwordFile === undefined ? config.KAFKA_SASL_PASSWORD! : readConfigFile(readFile, 'KAFKA_SASL_PASSWORD_FILE', passwordFile).replace(/\r?\n$/, '');
    if (password.length === 0) throw new ConfigError([`KAFKA_SASL_PASSWORD_FILE: ${passwordFile} is empty`]);
    security.sasl = { mechanism, username: config.KAFKA_SASL_USERNAME!, password };
  }
  return security;
}

function readConfigFile(readFile: ReadConfigFile, variable: string, path: string): string {
  try {
    return readFile(path);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new ConfigError([`${variable}: cannot read ${path}${code ? ` (${code})` : ''}`]);
  }
}
