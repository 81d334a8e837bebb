import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ApiAllowance, DEFAULT_DAILY_API_ALLOCATION } from './api-allowance';
import type { FieldAccess } from './field-security';
import { SalesforceApiError } from './salesforce-api-error';
import { LATEST_API_VERSION, SANDBOX_API_VERSIONS, versionsResource } from './salesforce-describe';
import { buildRecordId } from './salesforce-id';
import { SalesforceOAuth, SANDBOX_CONNECTED_APP, type SandboxUser } from './salesforce-oauth';
import { SalesforceRecordStore, type SandboxClock } from './salesforce-record-store';
import { SalesforceRestApi } from './salesforce-rest-api';
import { SalesforceSchema, type SObjectDefinition } from './salesforce-schema';
import { loadSandboxFile, saveSandboxFile } from './sandbox-data-file';

/**
 * A local Salesforce org that speaks the documented REST API and OAuth 2.0 token
 * endpoint over plain HTTP on 127.0.0.1, so the real jsforce client runs against it
 * unmodified. State lives in memory, optionally mirrored to a JSON file.
 */

export interface SalesforceSandboxOptions {
  /** 0 or omitted: an ephemeral port. */
  port?: number;
  /** Load records from this file at start and rewrite it after every change. */
  dataFile?: string;
  /** Users who can log in; defaults to DEFAULT_SANDBOX_USER. Each also exists as a User record. */
  users?: SandboxUser[];
  clock?: SandboxClock;
  /** The org's daily API request allocation (default 15 000). */
  dailyApiAllocation?: number;
}

/** A canned answer for the next matching request: a fault, a throttle, or a stale read. */
export interface InterceptedResponse {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** Only requests with this method … */
  method?: string;
  /** … and a path containing this text are intercepted. */
  pathIncludes?: string;
  /** How many matching requests get this answer (default 1). */
  times?: number;
}

export interface SalesforceSandbox {
  /** Both the login URL and the instance URL. */
  url: string;
  apiVersion: string;
  organizationId: string;
  /** The connected app users log in through unless configured otherwise. */
  clientId: string;
  clientSecret: string;
  stop(): Promise<void>;
  /** Live (not deleted) records of an object, for assertions. */
  records(sobject: string): ReadonlyArray<Record<string, unknown>>;
  /** Inserts a record directly, as an admin or a data load would; returns its Id. */
  seed(sobject: string, fields: Record<string, unknown>): string;
  /** Every session and refresh token ends, as when an admin revokes the app. */
  revokeAllTokens(): void;
  /** Sessions time out; refresh tokens stay valid. */
  expireAccessTokens(): void;
  setPassword(username: string, password: string): void;
  /** A refresh token as the web server flow would have issued it. */
  issueRefreshToken(username: string): string;
  /** A connected app for the JWT bearer flow: its consumer key and the certificate (PEM) that verifies its JWTs. */
  registerJwtApp(consumerKey: string, certificatePem: string): void;
  /** The user's JWT pre-authorization is withdrawn: their sessions end and JWT grants answer invalid_grant. */
  revokeJwtAuthorization(username: string): void;
  intercept(response: InterceptedResponse): void;
  /** Field-level security for one field, for every user or one username (default: editable). */
  setFieldAccess(sobject: string, field: string, access: FieldAccess, username?: string): void;
  /** The next `times` record writes (of `sobject`, if given) fail with UNABLE_TO_LOCK_ROW. */
  failRowLocks(times: number, sobject?: string): void;
  /** Daily API usage as Sforce-Limit-Info reports it (rolling 24 hours on the sandbox clock). */
  apiUsage(): { used: number; limit: number };
  setDailyApiAllocation(limit: number): void;
  /** Calls other integrations made now: they spend the same allocation. */
  spendApiCalls(count: number): void;
  /** Method and path of every request received, in order (never headers, bodies or query strings). */
  requests: ReadonlyArray<{ method: string; path: string }>;
}

export const DEFAULT_SANDBOX_USER: SandboxUser = {
  username: 'rep@telltale.sandbox',
  password: 'telltale-sandbox-password',
};

/** crm-writer's settings for this sandbox, signed in as its default user (local runs and process-level tests). */
export function crmWriterSandboxEnv(sandbox: Pick<SalesforceSandbox, 'url' | 'clientId' | 'clientSecret'>): Record<string, string> {
  return {
    SALESFORCE_LOGIN_URL: sandbox.url,
    SALESFORCE_CLIENT_ID: sandbox.clientId,
    SALESFORCE_CLIENT_SECRET: sandbox.clientSecret,
    SALESFORCE_USERNAME: DEFAULT_SANDBOX_USER.username,
    SALESFORCE_PASSWORD: DEFAULT_SANDBOX_USER.password,
    // Tasks show within a second or two locally (production batches for 30 s).
    CRM_WRITE_BATCH_WINDOW_MS: '1000',
    CRM_WRITE_TICK_MS: '250',
    // An organisation connecting its own Salesforce logs in here, as "production" or "sandbox".
    SALESFORCE_PRODUCTION_LOGIN_URL: sandbox.url,
    SALESFORCE_SANDBOX_LOGIN_URL: sandbox.url,
  };
}

const systemClock: SandboxClock = { now: () => new Date() };
const JSON_TYPE = 'application/json;charset=UTF-8';
/** The request log keeps the most recent entries, so a long-running local sandbox does not grow without bound. */
const REQUEST_LOG_LIMIT = 10_000;

export async function startSalesforceSandbox(options: SalesforceSandboxOptions = {}): Promise<SalesforceSandbox> {
  const clock = options.clock ?? systemClock;
  const schema = new SalesforceSchema();
  const dataFile = options.dataFile;
  const store = new SalesforceRecordStore(schema, clock, (snapshot) => {
    if (dataFile) saveSandboxFile(dataFile, snapshot);
  });
  const saved = dataFile ? loadSandboxFile(dataFile) : null;
  if (saved) store.restore(saved);

  const organizationId = buildRecordId('00D', 1);
  let baseUrl = '';
  const oauth = new SalesforceOAuth(organizationId, () => baseUrl, () => clock.now());
  const userObject = requireObject(schema, 'User');
  const users = options.users ?? [DEFAULT_SANDBOX_USER];
  if (users.length === 0) throw new Error('the Salesforce sandbox needs at least one user');
  const userIds = users.map((user) => {
    const existing = store.records(userObject).find((r) => String(r.Username).toLowerCase() === user.username.toLowerCase());
    const userId = existing ? String(existing.Id) : createUserRecord(store, userObject, user);
    oauth.registerUser(user, userId);
    return userId;
  });
  const adminId = userIds[0] as string;

  const api = new SalesforceRestApi(schema, store);
  const requests: Array<{ method: string; path: string }> = [];
  const intercepts: InterceptedResponse[] = [];
  const allowance = new ApiAllowance(clock, options.dailyApiAllocation ?? DEFAULT_DAILY_API_ALLOCATION);
  const userIdByName = new Map(users.map((user, i) => [user.username.toLowerCase(), userIds[i] as string] as const));

  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      try {
        route(req, res, raw);
      } catch (err) {
        sendError(res, err, limitHeaders(req));
      }
    });
  });

  function route(req: IncomingMessage, res: ServerResponse, raw: string): void {
    const method = (req.method ?? 'GET').toUpperCase();
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    requests.push({ method, path: url.pathname });
    if (requests.length > REQUEST_LOG_LIMIT) requests.splice(0, requests.length - REQUEST_LOG_LIMIT);

    const interceptIndex = intercepts.findIndex(
      (i) => (i.method === undefined || i.method.toUpperCase() === method) && url.pathname.includes(i.pathIncludes ?? ''),
    );
    const intercepted = intercepts[interceptIndex];
    if (intercepted) {
      const remaining = (intercepted.times ?? 1) - 1;
      if (remaining > 0) intercepts[interceptIndex] = { ...intercepted, times: remaining };
      else intercepts.splice(interceptIndex, 1);
      sendJson(res, intercepted.status, intercepted.body, intercepted.headers);
      return;
    }

    const path = url.pathname;
    if (path === '/services/oauth2/token' && method === 'POST') {
      const params = new URLSearchParams(url.search);
      for (const [k, v] of new URLSearchParams(raw)) params.set(k, v);
      const result = oauth.token(params);
      sendJson(res, result.status, result.body, { 'cache-control': 'no-store' });
      return;
    }
    if (path === '/services/oauth2/authorize' && method === 'GET') {
      const result = oauth.authorize(url.searchParams);
      if (result.status === 302) {
        res.writeHead(302, { location: result.location, 'cache-control': 'no-store' });
        res.end();
      } else sendJson(res, result.status, result.body);
      return;
    }
    if (path === '/services/oauth2/revoke' && method === 'POST') {
      const token = new URLSearchParams(raw).get('token') ?? url.searchParams.get('token') ?? '';
      if (oauth.revoke(token)) sendJson(res, 200, undefined);
      else sendJson(res, 400, { error: 'unsupported_token_type', error_description: 'this token type is not supported' });
      return;
    }
    if (path === '/services/data' || path === '/services/data/') {
      sendJson(res, 200, versionsResource());
      return;
    }
    if (path.startsWith('/id/')) {
      identity(req, res, path);
      return;
    }
    const match = /^\/services\/data\/v(\d+\.\d)(\/.*)?$/.exec(path);
    if (!match) throw new SalesforceApiError(404, 'NOT_FOUND', 'The requested resource does not exist');
    const userId = authenticate(req);
    const version = match[1] as string;
    if (!SANDBOX_API_VERSIONS.includes(version)) {
      throw new SalesforceApiError(404, 'NOT_FOUND', 'The requested resource does not exist');
    }
    // Every authenticated REST call counts against the daily allocation, failed ones included;
    // once it is spent the call is refused before it does anything.
    allowance.consume();
    const segments = (match[2] ?? '')
      .split('/')
      .filter((s) => s !== '')
      .map((s) => decodeURIComponent(s));
    const response = api.handle({
      method,
      version,
      segments,
      query: url.searchParams,
      body: parseJsonBody(raw),
      queryOptionsHeader: headerValue(req, 'sforce-query-options'),
      userId,
    });
    sendJson(res, response.status, response.body, { 'sforce-limit-info': allowance.header() });
  }

  /** "Limit Info Header": on each response of the versioned REST API, errors included. */
  function limitHeaders(req: IncomingMessage): Record<string, string> {
    return /^\/services\/data\/v\d/.test(req.url ?? '') ? { 'sforce-limit-info': allowance.header() } : {};
  }

  function authenticate(req: IncomingMessage): string {
    const header = headerValue(req, 'authorization') ?? '';
    const token = /^(?:Bearer|OAuth)\s+(\S+)$/i.exec(header)?.[1];
    const grant = token ? oauth.authenticate(token) : undefined;
    if (!grant) throw new SalesforceApiError(401, 'INVALID_SESSION_ID', 'Session expired or invalid');
    return grant.userId;
  }

  function identity(req: IncomingMessage, res: ServerResponse, path: string): void {
    const userId = authenticate(req);
    const [, , orgId, requestedUser] = path.split('/');
    if (orgId !== organizationId || requestedUser !== userId) {
      throw new SalesforceApiError(403, 'INSUFFICIENT_ACCESS', 'Insufficient access rights on cross-reference id');
    }
    const user = store.retrieve(userObject, userId);
    sendJson(res, 200, {
      id: `${baseUrl}/id/${organizationId}/${userId}`,
      asserted_user: true,
      user_id: userId,
      organization_id: organizationId,
      username: user.Username,
      display_name: user.Name,
      email: user.Email,
      active: user.IsActive,
      user_type: 'STANDARD',
      // The identity service leaves `{version}` for the client to fill in.
      urls: {
        rest: `${baseUrl}/services/data/v{version}/`,
        sobjects: `${baseUrl}/services/data/v{version}/sobjects/`,
        query: `${baseUrl}/services/data/v{version}/query/`,
        profile: `${baseUrl}/${userId}`,
      },
    });
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const objectByName = (name: string): SObjectDefinition => requireObject(schema, name);

  return {
    url: baseUrl,
    apiVersion: LATEST_API_VERSION,
    organizationId,
    clientId: SANDBOX_CONNECTED_APP.clientId,
    clientSecret: SANDBOX_CONNECTED_APP.clientSecret,
    stop: () => stopServer(server),
    records: (sobject) => store.records(objectByName(sobject)),
    seed: (sobject, fields) => store.create(objectByName(sobject), fields, adminId, 'seed'),
    revokeAllTokens: () => oauth.revokeAllTokens(),
    expireAccessTokens: () => oauth.expireAccessTokens(),
    setPassword: (username, password) => oauth.setPassword(username, password),
    issueRefreshToken: (username) => oauth.issueRefreshToken(username),
    registerJwtApp: (consumerKey, certificatePem) => oauth.registerJwtApp(consumerKey, certificatePem),
    revokeJwtAuthorization: (username) => oauth.revokeJwtAuthorization(username),
    intercept: (response) => {
      intercepts.push(response);
    },
    setFieldAccess: (sobject, fieldName, access, username) => {
      const object = objectByName(sobject);
      const field = schema.field(object, fieldName);
      if (!field) throw new Error(`the Salesforce sandbox has no field ${sobject}.${fieldName}`);
      const userId = username === undefined ? undefined : userIdByName.get(username.toLowerCase());
      if (username !== undefined && userId === undefined) throw new Error(`the Salesforce sandbox has no user ${username}`);
      store.fieldSecurity.set(object, field, access, userId);
    },
    failRowLocks: (times, sobject) => store.rowLocks.fail(times, sobject),
    apiUsage: () => allowance.usage(),
    setDailyApiAllocation: (limit) => allowance.setLimit(limit),
    spendApiCalls: (count) => allowance.spend(count),
    requests,
  };
}

function requireObject(schema: SalesforceSchema, name: string): SObjectDefinition {
  const object = schema.object(name);
  if (!object) throw new Error(`the Salesforce sandbox has no sObject ${name}`);
  return object;
}

/** Each configured user is also a User record, created by itself on first start. */
function createUserRecord(store: SalesforceRecordStore, userObject: SObjectDefinition, user: SandboxUser): string {
  const local = user.username.split('@')[0] ?? user.username;
  const email = user.username.includes('@') ? user.username : `${user.username}@telltale.sandbox`;
  return store.create(userObject, { Username: user.username, Email: email, LastName: local }, null, 'seed');
}

function headerValue(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function parseJsonBody(raw: string): unknown {
  if (raw.trim() === '') return undefined;
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    throw new SalesforceApiError(400, 'JSON_PARSER_ERROR', 'Unexpected character in request body: not valid JSON');
  }
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (status === 204 || body === undefined) {
    res.writeHead(status, headers);
    res.end();
    return;
  }
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': JSON_TYPE, 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

function sendError(res: ServerResponse, err: unknown, headers: Record<string, string>): void {
  if (err instanceof SalesforceApiError) {
    sendJson(res, err.status, err.toResponseBody(), headers);
    return;
  }
  const message = err instanceof Error ? err.message : String(err);
  sendJson(res, 500, [{ errorCode: 'UNKNOWN_EXCEPTION', message: `Salesforce sandbox failure: ${message}` }], headers);
}

function stopServer(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.close((err) => (err ? reject(err) : resolve()));
    server.closeAllConnections();
  });
}
