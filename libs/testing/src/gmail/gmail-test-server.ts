import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local Gmail for tests: `emulate@0.12.2` (a stateful Gmail API emulator) behind a thin front
 * that adds what Google does and the emulator does not, following Google's docs:
 *  - the OAuth 2.0 authorization and token endpoints with PKCE (RFC 7636) and refresh tokens that
 *    can be revoked (`invalid_grant`, RFC 6749 §5.2), and 401 for unknown or revoked access tokens;
 *  - history.list answering 404 for a startHistoryId older than the history kept (sync guide);
 *  - users.getProfile;
 *  - injected 429 answers with Retry-After;
 *  - messages.list with `q=rfc822msgid:<id>`, and messages.get format=metadata answering every
 *    header named in metadataHeaders (the emulator knows only a few);
 *  - optionally, a Message-ID of Gmail's own on messages.send (`assignMessageIds`): the sent message
 *    then carries an id other than the one the client composed, and only reading it back tells.
 * The googleapis client talks to it unmodified through `rootUrl`.
 */
export interface GmailTestServer {
  /** Use as googleapis `rootUrl` (ends with a slash) and as the OAuth base. */
  readonly url: string;
  readonly tokenUrl: string;
  readonly authUrl: string;
  /** Token revocation (POST ?token=…), as https://oauth2.googleapis.com/revoke. */
  readonly revokeUrl: string;
  /** Access token accepted by the API, bound to a fresh refresh token. */
  issueGrant(): { accessToken: string; refreshToken: string };
  /** Revoke a refresh token and every access token issued from it (the user removed the app). */
  revoke(refreshToken: string): void;
  /** The user removed the app: every grant issued so far is revoked. */
  revokeAll(): void;
  /** Make every history id issued so far too old: history.list from it answers 404. */
  expireHistory(): Promise<void>;
  /**
   * The next `count` API calls answer 429 with this Retry-After (seconds); with `only`, just the
   * calls it matches (given `METHOD /path`, e.g. `POST /gmail/v1/users/me/messages/send`).
   */
  throttleNext(count: number, retryAfterSeconds: number, only?: RegExp): void;
  /**
   * The next `count` API calls matching `only` (`METHOD /path`) fail with this status and Google's
   * error body for it (400 failedPrecondition, 500 backendError), as a message Gmail cannot serve does.
   */
  failNext(count: number, status: 400 | 500, only: RegExp): void;
  /** A user label (what a mail filter files messages under); returns its id. */
  createLabel(name: string): Promise<string>;
  /** Deliver a message into the mailbox (messages.insert), as if it arrived. */
  deliver(raw: string | Buffer, labelIds?: string[]): Promise<{ id: string; threadId: string; historyId: string }>;
  /** Token endpoint calls that exchanged a refresh token. */
  readonly refreshCount: number;
  /** Whether a users.watch is in force (set by watch, cleared by users.stop). */
  readonly watching: boolean;
  /** users.stop calls answered. */
  readonly stopCount: number;
  /** Successful calls to the revocation endpoint (by the client, not through `revoke`/`revokeAll`). */
  readonly revocationCount: number;
  close(): Promise<void>;
}

export interface GmailTestServerOptions {
  emailAddress: string;
  clientId?: string;
  clientSecret?: string;
  redirectUri?: string;
  /** messages.send stores and sends the message under a Message-ID Gmail makes up, not the client's. */
  assignMessageIds?: boolean;
}

interface EmulatorHandle {
  url: string;
  close(): Promise<void>;
}
type CreateEmulator = (options: { service: string; port: number; seed: unknown }) => Promise<EmulatorHandle>;

/**
 * `emulate` ships as an ES module only (its exports map has no `require` condition), and this
 * package compiles to CommonJS, where TypeScript rewrites `import()` into `require()`. Building the
 * dynamic import at run time keeps Node's real `import()`.
 */
const importEsm = new Function('specifier', 'return import(specifier)') as (specifier: string) => Promise<{ createEmulator: CreateEmulator }>;

const GOOGLE_404 = { error: { code: 404, message: 'Requested entity was not found.', errors: [{ message: 'Requested entity was not found.', domain: 'global', reason: 'notFound' }], status: 'NOT_FOUND' } };
const GOOGLE_401 = {
  error: {
    code: 401,
    message: 'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.',
    errors: [{ message: 'Invalid Credentials', domain: 'global', reason: 'authError', location: 'Authorization', locationType: 'header' }],
    status: 'UNAUTHENTICATED',
  },
};
const GOOGLE_400 = { error: { code: 400, message: 'Precondition check failed.', errors: [{ message: 'Precondition check failed.', domain: 'global', reason: 'failedPrecondition' }], status: 'FAILED_PRECONDITION' } };
const GOOGLE_500 = { error: { code: 500, message: 'Backend Error', errors: [{ message: 'Backend Error', domain: 'global', reason: 'backendError' }], status: 'INTERNAL' } };
const GOOGLE_429 = { error: { code: 429, message: 'Too many concurrent requests for user.', errors: [{ message: 'Too many concurrent requests for user.', domain: 'global', reason: 'rateLimitExceeded' }], status: 'RESOURCE_EXHAUSTED' } };

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=UTF-8', ...headers });
  res.end(JSON.stringify(body));
}

/** A messages.send body ({"raw": base64url MIME}) with the Message-ID replaced by one in Gmail's style. */
function withGmailMessageId(body: Buffer): Buffer {
  const request = JSON.parse(body.toString('utf8')) as { raw?: string };
  if (!request.raw) return body;
  const mime = Buffer.from(request.raw, 'base64url').toString('latin1');
  const split = mime.search(/\r?\n\r?\n/);
  const head = split < 0 ? mime : mime.slice(0, split);
  const ours = `Message-ID: <CA+${randomBytes(18).toString('base64url')}@mail.gmail.com>`;
  const replaced = /^message-id:.*(?:\r?\n[ \t].*)*$/im.test(head) ? head.replace(/^message-id:.*(?:\r?\n[ \t].*)*$/im, ours) : `${ours}\r\n${head}`;
  return Buffer.from(JSON.stringify({ ...request, raw: Buffer.from(replaced + mime.slice(head.length), 'latin1').toString('base64url') }));
}

export async function startGmailTestServer(options: GmailTestServerOptions): Promise<GmailTestServer> {
  const clientId = options.clientId ?? 'telltale-test.apps.googleusercontent.com';
  const clientSecret = options.clientSecret ?? 'test-secret';
  const { createEmulator } = await importEsm('emulate');
  const emulator = await createEmulator({
    service: 'google',
    port: 0,
    seed: { google: { users: [{ email: options.emailAddress, name: 'Rep' }], oauth_clients: [{ client_id: clientId, client_secret: clientSecret, redirect_uris: [options.redirectUri ?? 'http://127.0.0.1/callback'] }] } },
  });
  const upstream = emulator.url.replace('localhost', '127.0.0.1');
  const accessTokens = new Map<string, string>();
  const refreshTokens = new Set<string>();
  const revoked = new Set<string>();
  const codes = new Map<string, { challenge: string; redirectUri: string }>();
  let historyFloor = 0n;
  let throttle: { count: number; retryAfter: number; only?: RegExp | undefined } = { count: 0, retryAfter: 0 };
  let failure: { count: number; status: 400 | 500; only: RegExp } = { count: 0, status: 500, only: /$^/ };
  let refreshCount = 0;
  let watching = false;
  let stopCount = 0;
  let revocationCount = 0;
  // The newest history id this front has seen pass by (responses and deliveries): Gmail's "now".
  let newestHistoryId = 1n;
  const noteHistoryId = (value: unknown): void => {
    if (typeof value === 'string' && /^\d+$/.test(value) && BigInt(value) > newestHistoryId) newestHistoryId = BigInt(value);
  };

  const newGrant = (): { accessToken: string; refreshToken: string } => {
    const refreshToken = `1//rt-${randomBytes(12).toString('hex')}`;
    const accessToken = `ya29.at-${randomBytes(12).toString('hex')}`;
    refreshTokens.add(refreshToken);
    accessTokens.set(accessToken, refreshToken);
    return { accessToken, refreshToken };
  };

  // The emulator caps each token at 5 000 requests an hour (GitHub-style); this front checks the
  // real tokens itself and talks to the emulator with a token it rotates, so large mailboxes work.
  let upstreamCalls = 0;
  const forward = async (method: string, path: string, headers: Record<string, string>, body?: Buffer): Promise<Response> => {
    const upstreamHeaders = { ...headers, authorization: `Bearer telltale-front-${Math.floor(upstreamCalls++ / 4_000)}` };
    return fetch(`${upstream}${path}`, { method, headers: upstreamHeaders, ...(body && body.length ? { body: new Uint8Array(body) } : {}) });
  };


  /**
   * messages.list with `q=rfc822msgid:<id>` (Gmail's search operator; the emulator's own reads it
   * wrongly): the other terms go to the emulator, and what it lists is kept when its Message-ID is
   * the one asked for (with or without the angle brackets, as Gmail takes it).
   */
  const listByMessageId = async (url: URL, term: RegExpExecArray, headers: Record<string, string>): Promise<unknown> => {
    const wanted = term[1]!.replace(/^<|>$/g, '');
    const rest = (url.searchParams.get('q') ?? '').replace(term[0], ' ').trim();
    const matches: { id: string; threadId: string }[] = [];
    let pageToken: string | undefined;
    do {
      const query = new URLSearchParams({ maxResults: '500', ...(rest ? { q: rest } : {}), ...(pageToken ? { pageToken } : {}) });
      if (url.searchParams.get('includeSpamTrash')) query.set('includeSpamTrash', url.searchParams.get('includeSpamTrash')!);
      const page = (await (await forward('GET', `${url.pathname}?${query}`, headers)).json()) as { messages?: { id: string; threadId: string }[]; nextPageToken?: string };
      for (const listed of page.messages ?? []) {
        const one = (await (await forward('GET', `${url.pathname}/${listed.id}?format=metadata&metadataHeaders=Message-ID`, headers)).json()) as { payload?: { headers?: { name: string; value: string }[] } };
        const messageId = one.payload?.headers?.find((h) => h.name.toLowerCase() === 'message-id')?.value?.trim().replace(/^<|>$/g, '');
        if (messageId === wanted) matches.push(listed);
      }
      pageToken = page.nextPageToken;
    } while (pageToken);
    return matches.length > 0 ? { messages: matches, resultSizeEstimate: matches.length } : { resultSizeEstimate: 0 };
  };

  /**
   * messages.get format=metadata: Gmail answers every header named in metadataHeaders that the
   * message has; the emulator only those it models (From, To, Subject, Message-ID, ...), so the rest
   * are read from the stored message.
   */
  const metadataWithEveryHeader = async (url: URL, headers: Record<string, string>): Promise<[number, unknown]> => {
    const answer = await forward('GET', `${url.pathname}${url.search}`, headers);
    const body = (await answer.json()) as { payload?: { headers?: { name: string; value: string }[] } };
    const wanted = url.searchParams.getAll('metadataHeaders');
    const have = new Set((body.payload?.headers ?? []).map((h) => h.name.toLowerCase()));
    if (!answer.ok || wanted.every((name) => have.has(name.toLowerCase()))) return [answer.status, body];
    const raw = (await (await forward('GET', `${url.pathname}?format=raw`, headers)).json()) as { raw?: string };
    const head = Buffer.from(raw.raw ?? '', 'base64url').toString('latin1').split(/\r?\n\r?\n/)[0] ?? '';
    const extra = wanted
      .filter((name) => !have.has(name.toLowerCase()))
      .flatMap((name) => {
        const field = new RegExp(`^${name.replace(/[^A-Za-z0-9-]/g, '')}:[ \\t]*(.*(?:\\r?\\n[ \\t].*)*)`, 'im').exec(head);
        return field ? [{ name, value: field[1]!.replace(/\r?\n[ \t]+/g, ' ').trim() }] : [];
      });
    return [answer.status, { ...body, payload: { ...body.payload, headers: [...(body.payload?.headers ?? []), ...extra] } }];
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://local');
    const body = await readBody(req);
    if (url.pathname === '/o/oauth2/v2/auth') {
      const challenge = url.searchParams.get('code_challenge');
      const redirectUri = url.searchParams.get('redirect_uri') ?? '';
      if (url.searchParams.get('client_id') !== clientId || !challenge || url.searchParams.get('code_challenge_method') !== 'S256') return sendJson(res, 400, { error: 'invalid_request' });
      const code = `4/code-${randomBytes(8).toString('hex')}`;
      codes.set(code, { challenge, redirectUri });
      res.writeHead(302, { location: `${redirectUri}?code=${encodeURIComponent(code)}&state=${encodeURIComponent(url.searchParams.get('state') ?? '')}&scope=${encodeURIComponent(url.searchParams.get('scope') ?? '')}` });
      return void res.end();
    }
    if (url.pathname === '/token' && req.method === 'POST') {
      const form = new URLSearchParams(body.toString('utf8'));
      if (form.get('client_id') !== clientId || form.get('client_secret') !== clientSecret) return sendJson(res, 401, { error: 'invalid_client', error_description: 'Unauthorized' });
      if (form.get('grant_type') === 'authorization_code') {
        const entry = codes.get(form.get('code') ?? '');
        codes.delete(form.get('code') ?? '');
        const verifier = form.get('code_verifier') ?? '';
        if (!entry || createHash('sha256').update(verifier).digest('base64url') !== entry.challenge) return sendJson(res, 400, { error: 'invalid_grant', error_description: 'Bad Request' });
        const grant = newGrant();
        return sendJson(res, 200, { access_token: grant.accessToken, refresh_token: grant.refreshToken, expires_in: 3599, token_type: 'Bearer', scope: 'https://www.googleapis.com/auth/gmail.readonly https://www.googleapis.com/auth/gmail.send' });
      }
      if (form.get('grant_type') === 'refresh_token') {
        refreshCount += 1;
        const refreshToken = form.get('refresh_token') ?? '';
        if (!refreshTokens.has(refreshToken) || revoked.has(refreshToken)) return sendJson(res, 400, { error: 'invalid_grant', error_description: 'Token has been expired or revoked.' });
        const accessToken = `ya29.at-${randomBytes(12).toString('hex')}`;
        accessTokens.set(accessToken, refreshToken);
        return sendJson(res, 200, { access_token: accessToken, expires_in: 3599, token_type: 'Bearer', scope: 'https://www.googleapis.com/auth/gmail.readonly https://www.googleapis.com/auth/gmail.send' });
      }
      return sendJson(res, 400, { error: 'unsupported_grant_type' });
    }
    if (url.pathname === '/revoke' && req.method === 'POST') {
      // Either kind of token; revoking one revokes the grant, so the refresh token and its access tokens.
      const token = url.searchParams.get('token') ?? new URLSearchParams(body.toString('utf8')).get('token') ?? '';
      const grant = refreshTokens.has(token) ? token : accessTokens.get(token);
      if (grant === undefined || revoked.has(grant)) return sendJson(res, 400, { error: 'invalid_token', error_description: 'Token expired or revoked' });
      revoked.add(grant);
      revocationCount += 1;
      return sendJson(res, 200, {});
    }
    if (!url.pathname.startsWith('/gmail/')) return sendJson(res, 404, GOOGLE_404);
    const auth = req.headers.authorization ?? '';
    const token = auth.replace(/^Bearer\s+/i, '');
    const owner = accessTokens.get(token);
    if (owner === undefined || revoked.has(owner)) return sendJson(res, 401, GOOGLE_401, { 'www-authenticate': 'Bearer realm="https://accounts.google.com/", error="invalid_token"' });
    if (throttle.count > 0 && (throttle.only?.test(`${req.method} ${url.pathname}`) ?? true)) {
      throttle = { ...throttle, count: throttle.count - 1 };
      return sendJson(res, 429, GOOGLE_429, { 'retry-after': String(throttle.retryAfter) });
    }
    if (failure.count > 0 && failure.only.test(`${req.method} ${url.pathname}`)) {
      failure = { ...failure, count: failure.count - 1 };
      return sendJson(res, failure.status, failure.status === 400 ? GOOGLE_400 : GOOGLE_500);
    }
    if (url.pathname === '/gmail/v1/users/me/profile') {
      return sendJson(res, 200, { emailAddress: options.emailAddress, messagesTotal: 0, threadsTotal: 0, historyId: String(newestHistoryId) });
    }
    if (url.pathname === '/gmail/v1/users/me/history') {
      const start = url.searchParams.get('startHistoryId') ?? '';
      if (!/^\d+$/.test(start) || BigInt(start) < historyFloor) return sendJson(res, 404, GOOGLE_404);
    }
    const headers: Record<string, string> = { authorization: auth };
    if (req.headers['content-type']) headers['content-type'] = req.headers['content-type'];
    if (req.method === 'GET' && url.pathname === '/gmail/v1/users/me/messages') {
      const term = /(?:^|\s)rfc822msgid:(\S+)/i.exec(url.searchParams.get('q') ?? '');
      if (term) return sendJson(res, 200, await listByMessageId(url, term, headers));
    }
    if (req.method === 'GET' && /^\/gmail\/v1\/users\/me\/messages\/[^/]+$/.test(url.pathname) && url.searchParams.get('format') === 'metadata') {
      return sendJson(res, ...(await metadataWithEveryHeader(url, headers)));
    }
    const sending = req.method === 'POST' && /^\/gmail\/v1\/users\/me\/messages\/send$/.test(url.pathname);
    const answer = await forward(req.method ?? 'GET', `${url.pathname}${url.search}`, headers, sending && options.assignMessageIds ? withGmailMessageId(body) : body);
    const text = Buffer.from(await answer.arrayBuffer());
    if (answer.ok && req.method === 'POST' && url.pathname === '/gmail/v1/users/me/watch') watching = true;
    if (answer.ok && req.method === 'POST' && url.pathname === '/gmail/v1/users/me/stop') {
      watching = false;
      stopCount += 1;
      // Gmail answers users.stop with 204 and no body (the emulator says 200).
      res.writeHead(204);
      return void res.end();
    }
    if ((answer.headers.get('content-type') ?? '').includes('json')) {
      try {
        noteHistoryId((JSON.parse(text.toString('utf8')) as { historyId?: unknown }).historyId);
      } catch {
        // Not JSON after all; nothing to note.
      }
    }
    res.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'application/json' });
    res.end(text);
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => sendJson(res, 500, { error: { code: 500, message: err instanceof Error ? err.message : String(err), errors: [{ reason: 'backendError' }] } }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const admin = newGrant();

  return {
    url: `${base}/`,
    tokenUrl: `${base}/token`,
    authUrl: `${base}/o/oauth2/v2/auth`,
    revokeUrl: `${base}/revoke`,
    issueGrant: newGrant,
    revoke: (refreshToken) => void revoked.add(refreshToken),
    revokeAll: () => {
      for (const token of refreshTokens) if (token !== admin.refreshToken) revoked.add(token);
    },
    expireHistory: async () => {
      historyFloor = newestHistoryId + 1n;
    },
    createLabel: async (name) => {
      const answer = await forward('POST', '/gmail/v1/users/me/labels', { authorization: `Bearer ${admin.accessToken}`, 'content-type': 'application/json' }, Buffer.from(JSON.stringify({ name })));
      if (!answer.ok) throw new Error(`emulator refused the label: ${answer.status}`);
      return ((await answer.json()) as { id: string }).id;
    },
    throttleNext: (count, retryAfterSeconds, only) => {
      throttle = { count, retryAfter: retryAfterSeconds, only };
    },
    failNext: (count, status, only) => {
      failure = { count, status, only };
    },
    deliver: async (raw, labelIds = ['INBOX', 'UNREAD']) => {
      const answer = await forward('POST', '/gmail/v1/users/me/messages', { authorization: `Bearer ${admin.accessToken}`, 'content-type': 'application/json' }, Buffer.from(JSON.stringify({ raw: Buffer.from(raw).toString('base64url'), labelIds })));
      if (!answer.ok) throw new Error(`emulator refused the message: ${answer.status} ${(await answer.text()).slice(0, 300)}`);
      const message = (await answer.json()) as { id: string; threadId: string; historyId: string };
      noteHistoryId(message.historyId);
      return message;
    },
    get refreshCount() {
      return refreshCount;
    },
    get watching() {
      return watching;
    },
    get stopCount() {
      return stopCount;
    },
    get revocationCount() {
      return revocationCount;
    },
    close: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
      await emulator.close();
    },
  };
}
