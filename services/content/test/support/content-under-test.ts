import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateServiceCredential, localIdentityHeaders, sharedLocalIdentity, type LocalCallerOptions, type StartedService } from '@telltale/runtime';
import { createTestDatabase, eventually, queryRows } from '@telltale/testing';
import { ContentConfig, startContent } from '../../src';

export function env(name: string): string {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set: run with \`npm test\``);
  return v;
}

export interface ContentUnderTest {
  readonly service: StartedService;
  readonly orgId: string;
  readonly storageDir: string;
  /** The public API as a member of `orgId` (an admin unless `caller` says otherwise). */
  api(path: string, init?: RequestInit & { caller?: LocalCallerOptions; orgId?: string }): Promise<Response>;
  /** An internal route as `tracker` (the viewer) or `app`. */
  internal(as: 'tracker' | 'app', path: string, init?: RequestInit): Promise<Response>;
  upload(filename: string, bytes: Buffer, init?: { caller?: LocalCallerOptions; orgId?: string; query?: Record<string, string>; path?: string }): Promise<Response>;
  /** Waits for the document's newest version to leave pending/converting. */
  converted(documentId: string, init?: { caller?: LocalCallerOptions }): Promise<{ latest: { status: string; pageCount: number | null; failureReason: string | null; version: number } }>;
  sql<T>(text: string, values?: unknown[]): Promise<T[]>;
  stop(): Promise<void>;
}

/** The content service started in this process with its real wiring, a database of its own, a Kafka topic prefix and a storage directory. */
export async function startContentUnderTest(options: { label: string; config?: Record<string, string> }): Promise<ContentUnderTest> {
  const prefix = `${options.label}-${randomBytes(4).toString('hex')}.`;
  const orgId = randomUUID();
  const identity = await sharedLocalIdentity();
  const tracker = generateServiceCredential('tracker');
  const app = generateServiceCredential('app');
  const started: { stop(): Promise<unknown> }[] = [];
  const stop = async (): Promise<void> => {
    for (const s of started.splice(0).reverse()) await s.stop();
  };
  try {
    const storageDir = await mkdtemp(join(tmpdir(), 'telltale-content-'));
    started.push({ stop: () => rm(storageDir, { recursive: true, force: true }) });
    const db = await createTestDatabase(env('DATABASE_URL'));
    started.push({ stop: db.drop });
    const service = await startContent(
      ContentConfig.parse({
        DATABASE_URL: db.url,
        KAFKA_BROKERS: env('KAFKA_BROKERS'),
        KAFKA_TOPIC_PREFIX: prefix,
        PORT: '0',
        HOST: '127.0.0.1',
        LOG_LEVEL: 'silent',
        ...identity.env(),
        INTERNAL_CALLERS: [identity.env().INTERNAL_CALLERS, tracker.entry, app.entry].join(','),
        CONTENT_STORAGE_DIR: storageDir,
        CONTENT_CONVERSION_TICK_MS: '200',
        ...options.config,
      }),
    );
    started.push(service);
    const api = async (path: string, init: RequestInit & { caller?: LocalCallerOptions; orgId?: string } = {}): Promise<Response> => {
      const { caller, orgId: asOrg, headers, ...rest } = init;
      return fetch(`${service.url}${path}`, { ...rest, headers: { ...(await localIdentityHeaders(asOrg ?? orgId, caller)), ...(headers ?? {}) } });
    };
    const credentials = { tracker: tracker.credential, app: app.credential };
    const self: ContentUnderTest = {
      service,
      orgId,
      storageDir,
      api,
      internal: (as, path, init = {}) =>
        fetch(`${service.url}${path}`, { ...init, headers: { authorization: `Bearer ${credentials[as]}`, 'content-type': 'application/json', ...(init.headers ?? {}) } }),
      upload: (filename, bytes, init = {}) =>
        api(`${init.path ?? '/v1/documents'}?${new URLSearchParams({ filename, ...init.query }).toString()}`, {
          method: 'POST',
          body: new Uint8Array(bytes),
          headers: { 'content-type': 'application/octet-stream' },
          caller: init.caller,
          orgId: init.orgId,
        }),
      converted: (documentId, init = {}) =>
        eventually(
          `document ${documentId} converted`,
          async () => {
            const doc = (await (await api(`/v1/documents/${documentId}`, { caller: init.caller })).json()) as { latest: { status: string; pageCount: number | null; failureReason: string | null; version: number } };
            return ['ready', 'failed'].includes(doc.latest.status) ? doc : undefined;
          },
          { timeoutMs: 120_000, intervalMs: 200 },
        ),
      sql: <T>(text: string, values: unknown[] = []) => queryRows<T>(db.url, text, values),
      stop,
    };
    return self;
  } catch (err) {
    await stop().catch(() => undefined);
    throw err;
  }
}
