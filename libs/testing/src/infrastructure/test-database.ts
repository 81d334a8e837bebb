import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { withDatabase } from './postgres-readiness';

/**
 * Lower-case letters, digits and underscores only, so the name needs no quoting anywhere and fits
 * PostgreSQL's 63-byte identifier limit.
 */
export function testDatabaseName(now: Date, random: Buffer): string {
  return `telltale_test_${now.getTime().toString(36)}_${random.toString('hex')}`;
}

async function withClient<T>(databaseUrl: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: databaseUrl, connectionTimeoutMillis: 10_000 });
  client.on('error', () => undefined);
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

/**
 * A fresh, uniquely named database on the server `databaseUrl` points at, so a test can migrate and
 * write without seeing any other test's rows. `drop()` ends leftover connections (WITH (FORCE),
 * PostgreSQL 13+) so a pool the test forgot to close does not keep it alive.
 */
export async function createTestDatabase(databaseUrl: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = testDatabaseName(new Date(), randomBytes(6));
  await withClient(databaseUrl, (client) => client.query(`CREATE DATABASE ${client.escapeIdentifier(name)}`));
  let dropped = false;
  return {
    url: withDatabase(databaseUrl, name),
    async drop(): Promise<void> {
      if (dropped) return;
      dropped = true;
      await withClient(databaseUrl, (client) =>
        client.query(`DROP DATABASE IF EXISTS ${client.escapeIdentifier(name)} WITH (FORCE)`),
      );
    },
  };
}

/**
 * Runs one query on a connection of its own (opened and closed around it) and returns the rows, so
 * a test can look at what a service under test wrote without sharing that service's pool.
 */
export function queryRows<T>(databaseUrl: string, text: string, values: unknown[] = []): Promise<T[]> {
  return withClient(databaseUrl, async (client) => (await client.query(text, values)).rows as T[]);
}
