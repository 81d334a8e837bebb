import { randomBytes, randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import type { CrmConnectionChanged } from '@telltale/contracts';
import type { Clock } from '@telltale/db';
import { localIdentityHeaders, sharedLocalIdentity, type LocalCallerOptions, type StartedService } from '@telltale/runtime';
import { createTestDatabase, eventually, queryRows, startSalesforceSandbox, type SalesforceSandbox, type SalesforceSandboxOptions } from '@telltale/testing';
import { CrmWriterConfig, startCrmWriter } from '../../src';
import { SalesforceConnections } from '../../src/connections';

/**
 * crm-writer started in this process with its real wiring (`startCrmWriter`) on a test database of
 * its own, a fresh Kafka topic prefix and a local Salesforce org, with every
 * crm.connection-changed.v1 it publishes recorded.
 */

export function env(name: string): string {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set: run with \`npm test\``);
  return v;
}

export const REDIRECT_URI = 'http://127.0.0.1:9/settings/salesforce/callback';

export interface CrmWriterUnderTest {
  readonly service: StartedService;
  readonly sandbox: SalesforceSandbox;
  readonly orgId: string;
  readonly prefix: string;
  readonly databaseUrl: string;
  readonly encryptionKeys: string;
  /** Everything published on crm.connection-changed.v1, in order. */
  readonly changes: CrmConnectionChanged[];
  readonly connections: SalesforceConnections;
  /** The HTTP API as a member of `orgId` (an admin unless roles say otherwise). */
  api(path: string, init?: RequestInit & { caller?: LocalCallerOptions; orgId?: string }): Promise<Response>;
  sql<T>(text: string, values?: unknown[]): Promise<T[]>;
  awaitChange(what: string, match: (c: CrmConnectionChanged) => boolean): Promise<CrmConnectionChanged>;
  stop(): Promise<void>;
}

export interface CrmWriterUnderTestOptions {
  label: string;
  /** More crm-writer settings (e.g. the deprecated SALESFORCE_USERNAME/PASSWORD). */
  config?: Record<string, string>;
  sandbox?: SalesforceSandboxOptions;
  /** The service's clock (default: the system's). */
  clock?: Clock;
}

export async function startCrmWriterUnderTest(options: CrmWriterUnderTestOptions): Promise<CrmWriterUnderTest> {
  const prefix = `${options.label}-${randomBytes(4).toString('hex')}.`;
  const orgId = randomUUID();
  const identity = await sharedLocalIdentity();
  const started: { stop(): Promise<unknown> }[] = [];
  const stop = async (): Promise<void> => {
    for (const s of started.splice(0).reverse()) await s.stop();
  };
  try {
    const sandbox = await startSalesforceSandbox(options.sandbox);
    started.push(sandbox);
    const db = await createTestDatabase(env('DATABASE_URL'));
    started.push({ stop: db.drop });
    const encryptionKeys = `c1:${randomBytes(32).toString('base64')}`;
    const service = await startCrmWriter(
      CrmWriterConfig.parse({
        DATABASE_URL: db.url,
        KAFKA_BROKERS: env('KAFKA_BROKERS'),
        KAFKA_TOPIC_PREFIX: prefix,
        PORT: '0',
        HOST: '127.0.0.1',
        LOG_LEVEL: 'silent',
        ...identity.env(),
        CREDENTIALS_ENCRYPTION_KEYS: encryptionKeys,
        SALESFORCE_CLIENT_ID: sandbox.clientId,
        SALESFORCE_CLIENT_SECRET: sandbox.clientSecret,
        SALESFORCE_REDIRECT_URI: REDIRECT_URI,
        SALESFORCE_PRODUCTION_LOGIN_URL: sandbox.url,
        SALESFORCE_SANDBOX_LOGIN_URL: sandbox.url,
        SALESFORCE_LOGIN_URL: sandbox.url,
        ...options.config,
      }),
      options.clock ? { clock: options.clock } : {},
    );
    started.push(service);
    const changes: CrmConnectionChanged[] = [];
    const kafka = new Kafka({ clientId: `${options.label}-test`, brokers: env('KAFKA_BROKERS').split(','), logLevel: logLevel.NOTHING });
    const consumer = kafka.consumer({ groupId: `${prefix}observer` });
    started.push({ stop: () => consumer.disconnect() });
    await consumer.connect();
    await consumer.subscribe({ topics: [`${prefix}crm.connection-changed.v1`], fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        changes.push(JSON.parse(message.value?.toString('utf8') ?? '{}') as CrmConnectionChanged);
      },
    });
    const api = async (path: string, init: RequestInit & { caller?: LocalCallerOptions; orgId?: string } = {}): Promise<Response> => {
      const { caller, orgId: asOrg, headers, ...rest } = init;
      return fetch(`${service.url}${path}`, {
        ...rest,
        headers: { 'content-type': 'application/json', ...(await localIdentityHeaders(asOrg ?? orgId, caller)), ...(headers ?? {}) },
      });
    };
    return {
      service,
      sandbox,
      orgId,
      prefix,
      databaseUrl: db.url,
      encryptionKeys,
      changes,
      connections: service.app.get(SalesforceConnections),
      api,
      sql: <T>(text: string, values: unknown[] = []) => queryRows<T>(db.url, text, values),
      awaitChange: (what, match) => eventually(what, () => changes.find(match), { timeoutMs: 20_000, intervalMs: 50 }),
      stop,
    };
  } catch (err) {
    await stop().catch(() => undefined);
    throw err;
  }
}
