import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test, type TestContext } from 'node:test';
import { parse } from 'yaml';
import { ManualClock } from '@telltale/db';
import { routeTable, type StartedService } from '@telltale/runtime';
import { createTestDatabase, fuzzOptions, startSalesforceSandbox, type SalesforceSandbox } from '@telltale/testing';
import { AppBrowser, requiredEnv, startSignedInSystem, type SignedInSystem } from '../src';
import { OPENAPI_PATH, readPublicOperations } from '../src/openapi/openapi-document';
import { keepTrafficOnThisMachine } from '../src/openapi/loopback-only';
import { SERVICE_CONTROLLERS, type ApiService } from '../src/openapi/public-api';
import { ensureSchemathesis, runSchemathesis } from '../src/openapi/schemathesis';

/**
 * A schema-driven fuzz run over the public API (issue 12): schemathesis reads the OpenAPI document
 * the app serves, sends what it generates (valid and invalid bodies, parameters and queries) to
 * the app with the bootstrap admin's API key, and the gateway forwards it to the six real services.
 * Nothing may answer 5xx, and every 4xx is JSON whose `error` names the problem. CI-sized by
 * default (a fixed seed, few examples per operation); `FUZZ_RUNS=100 npm test -- <this file>` is
 * the longer run, FUZZ_SEED another seed.
 */
const { numRuns, seed } = fuzzOptions(5);

let system: SignedInSystem;
let salesforce: SalesforceSandbox;
let drop: () => Promise<void>;
let python: string;
/** The fuzzer sends mail server hosts and provider URLs of its own: none may be reached. */
let sandbox: ReturnType<typeof keepTrafficOnThisMachine>;
/** Configured, so the OAuth routes run their own checks instead of answering 503 *_not_configured; never reached. */
const NOWHERE = 'http://127.0.0.1:9';
const oauthClients = {
  GOOGLE_CLIENT_ID: 'fuzz-google-client',
  GOOGLE_CLIENT_SECRET: 'fuzz-google-secret',
  GOOGLE_REDIRECT_URI: `${NOWHERE}/oauth/google/callback`,
  GOOGLE_OAUTH_AUTH_URL: `${NOWHERE}/o/oauth2/v2/auth`,
  GOOGLE_OAUTH_TOKEN_URL: `${NOWHERE}/token`,
  GOOGLE_OAUTH_REVOKE_URL: `${NOWHERE}/revoke`,
  GMAIL_API_ROOT_URL: `${NOWHERE}/`,
  MS_CLIENT_ID: 'fuzz-microsoft-client',
  MS_CLIENT_SECRET: 'fuzz-microsoft-secret',
  MS_REDIRECT_URI: `${NOWHERE}/oauth/microsoft/callback`,
  MS_AUTHORITY: `${NOWHERE}/common`,
  GRAPH_ORIGIN: NOWHERE,
};

before(async () => {
  // First, so a machine without Python fails at once with what to install.
  python = ensureSchemathesis();
  sandbox = keepTrafficOnThisMachine();
  const db = await createTestDatabase(requiredEnv('DATABASE_URL'));
  drop = db.drop;
  salesforce = await startSalesforceSandbox();
  system = await startSignedInSystem({
    databaseUrl: db.url,
    kafkaBrokers: requiredEnv('KAFKA_BROKERS'),
    topicPrefix: `fuzz-${randomBytes(4).toString('hex')}.`,
    clock: new ManualClock(new Date()),
    salesforce: { loginUrl: salesforce.url, clientId: salesforce.clientId, clientSecret: salesforce.clientSecret, username: 'rep@telltale.sandbox', password: 'telltale-sandbox-password' },
    mailboxSyncEnv: oauthClients,
  });
});

after(async () => {
  await system?.stop();
  await salesforce?.stop();
  await drop?.();
  sandbox?.restore();
});

const started = (): Record<ApiService, StartedService> => ({
  app: system.identity.app,
  sequencer: system.services.sequencer,
  sender: system.services.sender,
  tracker: system.services.tracker,
  'mailbox-sync': system.services.mailboxSync,
  'reply-detector': system.services.replyDetector,
  'crm-writer': system.services.crmWriter,
  content: system.services.content,
});

test('the document covers every public route of the running services: their controllers are all listed for the generator', async () => {
  const documented = new Set((await readPublicOperations()).map((op) => `${op.service} ${op.method.toUpperCase()} ${op.servicePath}`));
  for (const [service, running] of Object.entries(started()) as [ApiService, StartedService][]) {
    const listed = new Set(SERVICE_CONTROLLERS[service].map((c) => c.name));
    for (const route of routeTable(running.app)) {
      assert.ok(listed.has(route.controller), `${service}'s ${route.controller} (${route.method} ${route.path}) is missing from SERVICE_CONTROLLERS (libs/system-tests/src/openapi/public-api.ts)`);
      const key = `${service} ${route.method} ${route.path}`;
      const isPublicApi = route.access?.kind === 'member' ? route.access.resource !== null : route.access?.kind === 'public' && route.access.reason === 'sign-in';
      assert.equal(documented.has(key), isPublicApi, `${key}: ${isPublicApi ? 'missing from' : 'must not be in'} the document`);
    }
  }
});

test('the app serves the checked-in document at /api/openapi.yaml and /api/openapi.json, to anyone', async () => {
  const text = readFileSync(OPENAPI_PATH, 'utf8');
  const yaml = await fetch(`${system.identity.app.url}/api/openapi.yaml`);
  assert.equal(yaml.status, 200);
  assert.match(yaml.headers.get('content-type') ?? '', /^application\/yaml/);
  assert.equal(await yaml.text(), text);
  const json = await fetch(`${system.identity.app.url}/api/openapi.json`);
  assert.equal(json.status, 200);
  assert.match(json.headers.get('content-type') ?? '', /^application\/json/);
  assert.deepEqual(await json.json(), parse(text));
});

/**
 * Operations whose coverage phase (boundary values of every keyword) is left out, with why; the
 * fuzzing phase still sends them what it generates. Each must name a documented operation.
 */
const NO_COVERAGE_PHASE: Record<string, string> = {
  organization_update: 'schemathesis takes about 100 s to build 253-character strings matching the sign-up domain pattern',
};

/**
 * schemathesis.toml for the run: the per-operation settings above, and no request to an event
 * stream (its connection stays open; its refusals come before it opens, and the authorization
 * matrix covers them).
 */
function schemathesisConfig(): string {
  type Operation = { operationId: string; responses: Record<string, { content?: Record<string, unknown> }> };
  const operations = Object.values(parse(readFileSync(OPENAPI_PATH, 'utf8')).paths as Record<string, Record<string, Operation>>).flatMap((p) => Object.values(p));
  const documented = new Set(operations.map((o) => o.operationId));
  const streams = operations.filter((o) => Object.values(o.responses).some((r) => r.content?.['text/event-stream'])).map((o) => o.operationId);
  return [
    ...Object.entries(NO_COVERAGE_PHASE).map(([id, why]) => {
      assert.ok(documented.has(id), `NO_COVERAGE_PHASE names ${id}, which is not in the document`);
      return `# ${why}\n[[operations]]\ninclude-operation-id = "${id}"\nphases.coverage.enabled = false\n`;
    }),
    ...streams.map((id) => `# an event stream\n[[operations]]\ninclude-operation-id = "${id}"\nenabled = false\n`),
  ].join('\n');
}

interface HarEntry {
  request: { method: string; url: string };
  response: { status: number; content: { mimeType?: string; text?: string } };
}

/** What is wrong with one answer: a 5xx, or a 4xx that is not a JSON error with a snake_case code. */
function problemWith({ request, response }: HarEntry): string | null {
  const path = new URL(request.url).pathname;
  const what = `${request.method} ${path} → ${response.status}`;
  const text = (response.content.text ?? '').slice(0, 200);
  if (response.status >= 500) return `${what}: a server error (${text})`;
  // The sign-in pages answer a browser with HTML (documented so).
  if (response.status < 400 || /^\/auth\/(sign-in|callback)$/.test(path)) return null;
  let body: unknown = null;
  try {
    body = JSON.parse(response.content.text ?? '');
  } catch {
    // not JSON: reported below
  }
  const error = (body as { error?: unknown } | null)?.error;
  const coded = (response.content.mimeType ?? '').startsWith('application/json') && typeof error === 'string' && /^[a-z][a-z0-9_]*$/.test(error);
  return coded ? null : `${what}: not a JSON error with a snake_case code (${text})`;
}

/**
 * One schemathesis run against the app with the given credential headers: its own checks (no
 * server error; status codes, content types and bodies as documented, so every 4xx body is the
 * Error schema) and ours over every request it sent (read back from its HAR report).
 */
async function fuzz(t: TestContext, name: string, headers: string[], extra: string[]): Promise<void> {
  // OPENAPI_FUZZ_REPORTS=<dir> keeps schemathesis's output, JUnit report and HAR of every request there.
  const kept = process.env.OPENAPI_FUZZ_REPORTS ? join(process.env.OPENAPI_FUZZ_REPORTS, name) : null;
  const reports = kept ? (mkdirSync(kept, { recursive: true }), kept) : mkdtempSync(join(tmpdir(), `telltale-openapi-fuzz-${name}-`));
  const app = system.identity.app.url;
  const refusedBefore = sandbox.refused.length;
  const config = join(reports, 'schemathesis.toml');
  writeFileSync(config, schemathesisConfig());
  const startedAt = Date.now();
  const { code, output } = await runSchemathesis(
    python,
    [
      '--config-file',
      config,
      'run',
      `${app}/api/openapi.json`,
      '--url',
      app,
      ...headers.flatMap((header) => ['--header', header]),
      '--checks',
      'not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance',
      '--max-examples',
      String(numRuns),
      '--seed',
      String(seed),
      // The credentials are ours (the headers above), not generated.
      '--generation-with-security-parameters',
      'false',
      '--generation-database',
      'none',
      '--max-redirects',
      '0',
      '--request-timeout',
      '40',
      // One worker: runs repeat with the seed, and Python 3.11.7's ast.parse fails in worker threads (hypothesis describes its filters with it).
      '--workers',
      '1',
      '--no-color',
      '--report',
      'junit,har',
      '--report-junit-path',
      join(reports, 'junit.xml'),
      '--report-har-path',
      join(reports, 'requests.har'),
      ...extra,
    ],
    reports,
    55 * 60_000,
  );
  const seconds = ((Date.now() - startedAt) / 1000).toFixed(1);
  writeFileSync(join(reports, 'output.txt'), output);
  let entries: HarEntry[] = [];
  try {
    entries = (JSON.parse(readFileSync(join(reports, 'requests.har'), 'utf8')) as { log: { entries: HarEntry[] } }).log.entries;
  } catch {
    assert.fail(`schemathesis wrote no HAR report (exit ${code}):\n${output.slice(-4000)}`);
  }
  t.diagnostic(`schemathesis (${name}): ${entries.length} requests in ${seconds} s, exit ${code}; ${sandbox.refused.length - refusedBefore} attempts to reach another machine refused`);
  const problems = [...new Set(entries.map(problemWith).filter((p): p is string => p !== null))];
  // Its closing summary: operations, warnings (operations that only met 401/403/404), test cases.
  const summary = output.lastIndexOf('SUMMARY');
  for (const line of output.slice(summary >= 0 ? summary : Math.max(0, output.length - 3000)).split('\n')) if (line.trim() && !/^[=_-]+$/.test(line.trim())) t.diagnostic(line);
  if (problems.length > 0 || code !== 0) {
    t.diagnostic(`reports kept in ${reports}`);
    assert.fail(`${problems.slice(0, 40).join('\n')}\n\nschemathesis exit ${code}:\n${output.slice(-6000)}`);
  }
  assert.ok(entries.length > 0, 'schemathesis sent requests');
  if (!kept) rmSync(reports, { recursive: true, force: true });
}

const title = (who: string) => `schemathesis over the OpenAPI document ${who}: no 5xx, every 4xx a JSON error naming the problem (${numRuns} examples per operation, seed ${seed})`;

test(title('with the admin API key'), { timeout: 60 * 60_000 }, async (t) => {
  await fuzz(t, 'api-key', [`Authorization: Bearer ${system.identity.adminApiKey}`], []);
});

/**
 * What an API key may not do (people, keys, the organisation's settings) as the signed-in admin:
 * the session cookie and its CSRF token. Sign-out is left out, and the stateful phase too (it
 * would revoke this very session through GET /api/v1/sessions).
 */
test(title('as the signed-in admin, on the routes only a person may use'), { timeout: 60 * 60_000 }, async (t) => {
  const admin = new AppBrowser(system.identity.app.url);
  assert.equal((await admin.signIn('admin@telltale.test')).status, 302);
  assert.ok(admin.csrfToken);
  await fuzz(t, 'session', [`Cookie: ${admin.cookies.header(new URL(system.identity.app.url))}`, `x-csrf-token: ${admin.csrfToken}`], ['--include-path-regex', '^/api/v1/(me|users|sessions|api-keys|organization)', '--phases', 'examples,coverage,fuzzing']);
});
