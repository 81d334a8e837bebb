import { join } from 'node:path';
import { CONTAINER_IMAGES } from './container-images';
import { logToFile } from './container-logs';
import type { PostgresEndpoint, StartedComponent } from './infrastructure.types';
import { LOCAL_POSTGRES } from './postgres.local';
import { probePostgres } from './postgres-readiness';
import { waitUntil } from './wait-until';

const POSTGRES_PORT = 5432;

/** PostgreSQL in a throwaway container; `hostPort` pins the published port (fixed mode). */
export async function startPostgresContainer(options: {
  dataDir: string;
  hostPort: number | undefined;
}): Promise<StartedComponent<PostgresEndpoint>> {
  const { GenericContainer, Wait } = await import('testcontainers');
  const container = await new GenericContainer(CONTAINER_IMAGES.postgres)
    .withEnvironment({
      POSTGRES_USER: LOCAL_POSTGRES.user,
      POSTGRES_PASSWORD: LOCAL_POSTGRES.password,
      POSTGRES_DB: LOCAL_POSTGRES.database,
    })
    .withExposedPorts(options.hostPort === undefined ? POSTGRES_PORT : { container: POSTGRES_PORT, host: options.hostPort })
    // The image's entrypoint starts a temporary server for initialisation first, so the
    // readiness line appears twice; only the second one is the real server.
    .withWaitStrategy(Wait.forLogMessage(/database system is ready to accept connections/, 2))
    .withStartupTimeout(120_000)
    .withLogConsumer(logToFile(join(options.dataDir, 'postgres-container.log')))
    .start();

  const host = container.getHost();
  const port = container.getMappedPort(POSTGRES_PORT);
  const { user, password, database } = LOCAL_POSTGRES;
  const databaseUrl = `postgres://${user}:${password}@${host}:${port}/${database}`;
  try {
    await waitUntil(() => probePostgres(databaseUrl), { what: `PostgreSQL container on ${host}:${port}`, timeoutMs: 30_000 });
  } catch (error) {
    await container.stop();
    throw error;
  }
  return {
    source: 'container',
    endpoint: { databaseUrl },
    stop: async () => {
      await container.stop();
    },
  };
}
