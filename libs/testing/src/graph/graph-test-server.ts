import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createTestCertificates } from './test-certificate-authority';

/**
 * A local Microsoft Graph (v1.0 mail) over HTTPS with a test CA, following the published docs:
 *  - mailFolders; delta per folder (`/me/mailFolders/{id}/messages/delta`) paging with
 *    `@odata.nextLink` and ending with `@odata.deltaLink`; `$filter=receivedDateTime ge …` on the
 *    first round; `Prefer: odata.maxpagesize`; an expired delta token answers 410 Gone;
 *  - `GET /me/messages/{id}/$value` (MIME); draft from MIME (`POST /me/messages`, text/plain base64)
 *    then `POST /me/messages/{id}/send`, with `internetMessageId` and `conversationId` known;
 *  - change-notification subscriptions: the `validationToken` handshake on create, `clientState`
 *    echoed in every notification, renewal by PATCH of `expirationDateTime`, lifecycle
 *    notifications (missed, reauthorizationRequired, subscriptionRemoved);
 *  - 401 for unknown tokens, injected 429 with Retry-After; the token endpoint with refresh tokens
 *    that can be revoked (`invalid_grant`, AADSTS70008);
 *  - item ids that change when a message moves to another folder (a sent draft moves to Sent
 *    Items; `POST /me/messages/{id}/move`), unless the request asks for immutable ids
 *    (`Prefer: IdType="ImmutableId"`, https://learn.microsoft.com/graph/outlook-immutable-id, also
 *    on delta pages); `DELETE /me/messages/{id}`;
 *  - folders created later (`createFolder`), `DELETE /me/mailFolders/{id}` (into Deleted Items),
 *    `POST …/permanentDelete` and `POST …/move`; a folder's id survives a move;
 *  - a folder's messages (`GET /me/mailFolders/{id}/messages`), with `$filter=internetMessageId eq '…'`
 *    or `sentDateTime ge …`, `$top`, and `internetMessageHeaders` when `$select` names it;
 *  - optionally (`holdSentInOutbox`), a sent message kept in the Outbox until released, as Exchange
 *    sends after answering 202 Accepted;
 *  - optionally (`assignInternetMessageIds`), Exchange's own Message-ID on a draft made from MIME
 *    instead of the one in it: recipients see it, and only the message resource's
 *    `internetMessageId` tells it.
 */
export interface GraphTestServer {
  /** e.g. https://127.0.0.1:1234 (append /v1.0). */
  readonly origin: string;
  readonly host: string;
  /** Trust this CA in the client you build (https.Agent `ca`). */
  readonly ca: string;
  readonly tokenUrl: string;
  /** Use as MicrosoftOAuth `authority`. */
  readonly authority: string;
  issueGrant(): { accessToken: string; refreshToken: string };
  revokeAll(): void;
  /** Deliver a message into a folder (by display name, e.g. "Inbox" or a rule's target folder). */
  /** Deliver a message as if it arrived; bytes are served as given (invalid UTF-8 included). */
  deliver(raw: string | Buffer, folderName?: string, options?: { notify?: boolean }): { id: string; conversationId: string };
  /** Sends a lifecycle notification (missed, reauthorizationRequired, subscriptionRemoved) to every subscription that asked for them. */
  sendLifecycle(event: 'missed' | 'reauthorizationRequired' | 'subscriptionRemoved'): Promise<void>;
  /** A folder (under another one, by display name, when parentName is given), as a user or rule creates it. */
  createFolder(displayName: string, parentName?: string): string;
  /** Every delta token issued so far answers 410 Gone from now on. */
  expireDeltaTokens(): void;
  /** The next `count` calls (with `only`, the ones matching `METHOD /v1.0/path`) answer 429 with this Retry-After (seconds). */
  throttleNext(count: number, retryAfterSeconds: number, only?: RegExp): void;
  /** The next `count` API calls matching `only` (`METHOD /path`) fail with this status and Graph's error body for it. */
  failNext(count: number, status: 400 | 500, only: RegExp): void;
  readonly subscriptions: ReadonlyArray<{ id: string; notificationUrl: string; lifecycleNotificationUrl: string | undefined; clientState: string | undefined; expirationDateTime: string; resource: string }>;
  /** Sent messages: `id` is the Sent Items copy's (regular) id, `immutableId` the one that never changes. */
  readonly sent: ReadonlyArray<{ id: string; immutableId: string; internetMessageId: string; conversationId: string }>;
  /** With `holdSentInOutbox`: what waits in the Outbox goes to Sent Items now. */
  releaseOutbox(): void;
  /** Messages in a folder (by display name), drafts included. */
  folderMessages(folderName: string): ReadonlyArray<{ id: string; immutableId: string; internetMessageId: string; conversationId: string; raw: string; isDraft: boolean }>;
  close(): Promise<void>;
}

interface StoredMessage {
  id: string;
  immutableId: string;
  folderId: string;
  raw: string;
  /** The exact bytes, when delivered as bytes (raw is then their Latin-1 reading, for header lookups). */
  bytes?: Buffer;
  internetMessageId: string;
  conversationId: string;
  subject: string;
  receivedDateTime: string;
  seq: number;
  isDraft: boolean;
  /** Set when a draft is sent. */
  sentDateTime?: string;
}

const GRAPH_ERROR = (code: string, message: string): unknown => ({ error: { code, message, innerError: { date: new Date().toISOString().slice(0, 19), 'request-id': randomUUID(), 'client-request-id': randomUUID() } } });

function header(raw: string, name: string): string | undefined {
  const head = raw.split(/\r?\n\r?\n/)[0] ?? '';
  const match = new RegExp(`^${name}:[ \\t]*(.*(?:\\r?\\n[ \\t].*)*)`, 'im').exec(head);
  return match?.[1]?.replace(/\r?\n[ \t]+/g, ' ').trim();
}

export interface GraphTestServerOptions {
  emailAddress: string;
  pageSize?: number;
  /** Drafts made from MIME get a Message-ID Exchange makes up, replacing the one in the MIME. */
  assignInternetMessageIds?: boolean;
  /**
   * A sent message waits in the Outbox folder until `releaseOutbox()` instead of landing in Sent
   * Items at once: `POST …/send` answers 202 Accepted and Exchange sends (and files the copy) later.
   */
  holdSentInOutbox?: boolean;
}

/** Regular item ids look like `AAMkAG…`; immutable ones like `AAkALg…`. */
const newItemId = (): string => `AAMkAG${randomBytes(16).toString('base64url')}`;

function withHeader(raw: string, name: string, value: string): string {
  const split = raw.search(/\r?\n\r?\n/);
  const head = split < 0 ? raw : raw.slice(0, split);
  const field = new RegExp(`^${name}:.*(?:\\r?\\n[ \\t].*)*$`, 'im');
  return (field.test(head) ? head.replace(field, `${name}: ${value}`) : `${name}: ${value}\r\n${head}`) + raw.slice(head.length);
}

export async function startGraphTestServer(options: GraphTestServerOptions): Promise<GraphTestServer> {
  const certs = createTestCertificates(['localhost']);
  const userId = randomUUID();
  const folders = new Map<string, { id: string; displayName: string; wellKnownName: string | null; parentFolderId: string | null }>();
  const addFolder = (displayName: string, wellKnownName: string | null, parentFolderId: string | null = null): string => {
    const id = `AAMk${randomBytes(12).toString('base64url')}`;
    folders.set(id, { id, displayName, wellKnownName, parentFolderId });
    return id;
  };
  const folderView = (f: { id: string; displayName: string; parentFolderId: string | null }): unknown => ({
    id: f.id,
    displayName: f.displayName,
    parentFolderId: f.parentFolderId,
    childFolderCount: [...folders.values()].filter((c) => c.parentFolderId === f.id).length,
  });
  const inboxId = addFolder('Inbox', 'inbox');
  addFolder('Sent Items', 'sentitems');
  addFolder('Drafts', 'drafts');
  addFolder('Deleted Items', 'deleteditems');
  addFolder('Junk Email', 'junkemail');
  addFolder('Archive', 'archive');
  if (options.holdSentInOutbox) addFolder('Outbox', 'outbox');
  const messages = new Map<string, StoredMessage>();
  const accessTokens = new Map<string, string>();
  const refreshTokens = new Set<string>();
  const revoked = new Set<string>();
  const subscriptions: { id: string; notificationUrl: string; lifecycleNotificationUrl: string | undefined; clientState: string | undefined; expirationDateTime: string; resource: string }[] = [];
  const sent: { id: string; immutableId: string; internetMessageId: string; conversationId: string }[] = [];
  let seq = 0;
  let tokenFloor = 0;
  let throttle: { count: number; retryAfter: number; only?: RegExp | undefined } = { count: 0, retryAfter: 0 };
  let failure: { count: number; status: 400 | 500; only: RegExp } = { count: 0, status: 500, only: /$^/ };
  const pageSize = options.pageSize ?? 10;
  const byConversationRoot = new Map<string, string>();
  const codes = new Map<string, string>();

  const newGrant = (): { accessToken: string; refreshToken: string } => {
    const refreshToken = `M.R3_${randomBytes(16).toString('hex')}`;
    const accessToken = `eyJ0.${randomBytes(16).toString('hex')}`;
    refreshTokens.add(refreshToken);
    accessTokens.set(accessToken, refreshToken);
    return { accessToken, refreshToken };
  };

  /** Exchange joins a reply to its conversation by In-Reply-To/References. */
  const conversationOf = (raw: string): string => {
    const refs = `${header(raw, 'In-Reply-To') ?? ''} ${header(raw, 'References') ?? ''}`.match(/<[^>]+>/g) ?? [];
    for (const ref of refs) {
      const known = byConversationRoot.get(ref);
      if (known) return known;
    }
    return `AAQk${randomBytes(12).toString('base64url')}`;
  };

  const store = (raw: string, folderId: string, isDraft: boolean): StoredMessage => {
    const id = newItemId();
    const internetMessageId = header(raw, 'Message-ID') ?? `<${randomBytes(8).toString('hex')}@DM6PR.prod.outlook.com>`;
    const conversationId = conversationOf(raw);
    byConversationRoot.set(internetMessageId, conversationId);
    seq += 1;
    const message: StoredMessage = { id, immutableId: `AAkALg${randomBytes(16).toString('base64url')}`, folderId, raw, internetMessageId, conversationId, subject: header(raw, 'Subject') ?? '', receivedDateTime: new Date().toISOString(), seq, isDraft };
    messages.set(id, message);
    return message;
  };

  const notify = (message: StoredMessage): void => {
    for (const sub of subscriptions) {
      if (Date.parse(sub.expirationDateTime) < Date.now()) continue;
      const body = {
        value: [
          {
            subscriptionId: sub.id,
            subscriptionExpirationDateTime: sub.expirationDateTime,
            changeType: 'created',
            resource: `Users/${userId}/Messages/${message.id}`,
            resourceData: { '@odata.type': '#Microsoft.Graph.Message', '@odata.id': `Users/${userId}/Messages/${message.id}`, id: message.id },
            clientState: sub.clientState,
            tenantId: '00000000-0000-0000-0000-000000000001',
          },
        ],
      };
      void fetch(sub.notificationUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }).catch(() => undefined);
    }
  };

  const encodeToken = (kind: 'skip' | 'delta', folderId: string, afterSeq: number, since: string | null): string => Buffer.from(JSON.stringify({ kind, folderId, afterSeq, since, gen: tokenFloor })).toString('base64url');

  const send = (res: ServerResponse, status: number, body?: unknown, headers: Record<string, string> = {}): void => {
    res.writeHead(status, { ...(body === undefined ? {} : { 'content-type': 'application/json; odata.metadata=minimal' }), 'request-id': randomUUID(), ...headers });
    res.end(body === undefined ? undefined : JSON.stringify(body));
  };

  const readBody = (req: IncomingMessage): Promise<string> =>
    new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
      req.on('error', reject);
    });

  let origin = '';

  /** Graph takes either id form in a URL; it answers with immutable ids only when asked to. */
  const lookup = (key: string): StoredMessage | undefined => messages.get(key) ?? [...messages.values()].find((m) => m.immutableId === key);
  const idFor = (message: StoredMessage, req: IncomingMessage): string => (/IdType\s*=\s*"?ImmutableId"?/i.test(String(req.headers.prefer ?? '')) ? message.immutableId : message.id);

  const deltaPage = (req: IncomingMessage, res: ServerResponse, folderId: string, afterSeq: number, since: string | null): void => {
    const prefer = String(req.headers.prefer ?? '');
    const max = Number(/odata\.maxpagesize=(\d+)/.exec(prefer)?.[1] ?? pageSize);
    const all = [...messages.values()].filter((m) => m.folderId === folderId && m.seq > afterSeq && !m.isDraft && (since === null || m.receivedDateTime >= since)).sort((a, b) => a.seq - b.seq);
    const page = all.slice(0, max);
    const base = `${origin}/v1.0/me/mailFolders/${folderId}/messages/delta`;
    const value = page.map((m) => ({ '@odata.type': '#microsoft.graph.message', id: idFor(m, req), conversationId: m.conversationId, receivedDateTime: m.receivedDateTime, parentFolderId: m.folderId, internetMessageId: m.internetMessageId, subject: m.subject }));
    const last = page.at(-1)?.seq ?? afterSeq;
    const newest = Math.max(afterSeq, ...[...messages.values()].filter((m) => m.folderId === folderId).map((m) => m.seq), 0);
    if (all.length > max) return send(res, 200, { '@odata.context': `${origin}/v1.0/$metadata#Collection(message)`, '@odata.nextLink': `${base}?$skiptoken=${encodeToken('skip', folderId, last, since)}`, value });
    return send(res, 200, { '@odata.context': `${origin}/v1.0/$metadata#Collection(message)`, '@odata.deltaLink': `${base}?$deltatoken=${encodeToken('delta', folderId, Math.max(last, since === null ? last : newest), null)}`, value });
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', origin);
    const body = await readBody(req);
    if (url.pathname.endsWith('/oauth2/v2.0/authorize') && req.method === 'GET') {
      const challenge = url.searchParams.get('code_challenge');
      const redirectUri = url.searchParams.get('redirect_uri') ?? '';
      if (!challenge || url.searchParams.get('code_challenge_method') !== 'S256' || !(url.searchParams.get('scope') ?? '').includes('offline_access')) {
        res.writeHead(302, { location: `${redirectUri}?error=invalid_request&error_description=AADSTS900144&state=${encodeURIComponent(url.searchParams.get('state') ?? '')}` });
        return void res.end();
      }
      const code = `0.AX${randomBytes(12).toString('hex')}`;
      codes.set(code, challenge);
      res.writeHead(302, { location: `${redirectUri}?code=${encodeURIComponent(code)}&state=${encodeURIComponent(url.searchParams.get('state') ?? '')}&session_state=${randomUUID()}` });
      return void res.end();
    }
    if (url.pathname.endsWith('/oauth2/v2.0/token') && req.method === 'POST') {
      const form = new URLSearchParams(body);
      if (form.get('grant_type') === 'authorization_code') {
        const challenge = codes.get(form.get('code') ?? '');
        codes.delete(form.get('code') ?? '');
        if (!challenge || createHash('sha256').update(form.get('code_verifier') ?? '').digest('base64url') !== challenge) {
          return send(res, 400, { error: 'invalid_grant', error_description: 'AADSTS501481: The Code_Verifier does not match the code_challenge supplied in the authorization request.', error_codes: [501481] });
        }
        const grant = newGrant();
        return send(res, 200, { token_type: 'Bearer', scope: 'Mail.ReadWrite Mail.Send User.Read offline_access', expires_in: 3599, access_token: grant.accessToken, refresh_token: grant.refreshToken });
      }
      const refreshToken = form.get('refresh_token') ?? '';
      if (form.get('grant_type') !== 'refresh_token' || !refreshTokens.has(refreshToken) || revoked.has(refreshToken)) {
        return send(res, 400, { error: 'invalid_grant', error_description: 'AADSTS70008: The provided authorization code or refresh token has expired due to inactivity.', error_codes: [70008] });
      }
      const accessToken = `eyJ0.${randomBytes(16).toString('hex')}`;
      accessTokens.set(accessToken, refreshToken);
      return send(res, 200, { token_type: 'Bearer', scope: 'Mail.ReadWrite Mail.Send offline_access', expires_in: 3599, access_token: accessToken, refresh_token: refreshToken });
    }
    const token = (req.headers.authorization ?? '').replace(/^Bearer\s+/i, '');
    const owner = accessTokens.get(token);
    if (owner === undefined || revoked.has(owner)) return send(res, 401, GRAPH_ERROR('InvalidAuthenticationToken', 'Access token is empty.'), { 'www-authenticate': 'Bearer realm=""' });
    if (throttle.count > 0 && (throttle.only?.test(`${req.method} ${url.pathname}`) ?? true)) {
      throttle = { ...throttle, count: throttle.count - 1 };
      return send(res, 429, GRAPH_ERROR('TooManyRequests', 'Please retry again later.'), { 'retry-after': String(throttle.retryAfter) });
    }
    if (failure.count > 0 && failure.only.test(`${req.method} ${url.pathname}`)) {
      failure = { ...failure, count: failure.count - 1 };
      return failure.status === 400
        ? send(res, 400, GRAPH_ERROR('ErrorInvalidRequest', 'The request is invalid.'))
        : send(res, 500, GRAPH_ERROR('InternalServerError', 'An internal server error occurred.'));
    }
    const path = url.pathname.replace(/^\/v1\.0/, '');
    let m: RegExpExecArray | null;
    if (path === '/me' && req.method === 'GET') return send(res, 200, { id: userId, mail: options.emailAddress, userPrincipalName: options.emailAddress, displayName: 'Rep' });
    // Like Graph, the folder list is top-level only; children come from /childFolders.
    if (path === '/me/mailFolders' && req.method === 'GET') return send(res, 200, { value: [...folders.values()].filter((f) => f.parentFolderId === null).map(folderView) });
    if ((m = /^\/me\/mailFolders\/([^/]+)\/childFolders$/.exec(path)) && req.method === 'GET') {
      const parent = folders.get(decodeURIComponent(m[1]!));
      if (!parent) return send(res, 404, GRAPH_ERROR('ErrorItemNotFound', 'The specified object was not found in the store.'));
      return send(res, 200, { value: [...folders.values()].filter((f) => f.parentFolderId === parent.id).map(folderView) });
    }
    if ((m = /^\/me\/mailFolders\/([^/]+)$/.exec(path)) && req.method === 'GET') {
      const key = decodeURIComponent(m[1]!);
      const folder = folders.get(key) ?? [...folders.values()].find((f) => f.wellKnownName === key.toLowerCase());
      if (!folder) return send(res, 404, GRAPH_ERROR('ErrorInvalidIdMalformed', 'Id is malformed.'));
      return send(res, 200, folderView(folder));
    }
    // Folder lifecycle: DELETE moves a folder (and what is under it) into Deleted Items, as Outlook does;
    // permanentDelete removes it and its items for good; move re-parents it. A folder keeps its id throughout.
    if ((m = /^\/me\/mailFolders\/([^/]+)(?:\/(move|permanentDelete))?$/.exec(path)) && (req.method === 'DELETE' || (req.method === 'POST' && m[2] !== undefined))) {
      const key = decodeURIComponent(m[1]!);
      const folder = folders.get(key) ?? [...folders.values()].find((f) => f.wellKnownName === key.toLowerCase());
      if (!folder) return send(res, 404, GRAPH_ERROR('ErrorItemNotFound', 'The specified object was not found in the store.'));
      if (folder.wellKnownName !== null) return send(res, 403, GRAPH_ERROR('ErrorDeleteDistinguishedFolder', 'Distinguished folders cannot be deleted or moved.'));
      const subtree = (id: string): string[] => [id, ...[...folders.values()].filter((f) => f.parentFolderId === id).flatMap((f) => subtree(f.id))];
      if (req.method === 'DELETE' || m[2] === 'move') {
        const destinationKey = req.method === 'DELETE' ? 'deleteditems' : String((JSON.parse(body || '{}') as { destinationId?: unknown }).destinationId ?? '');
        const destination = folders.get(destinationKey) ?? [...folders.values()].find((f) => f.wellKnownName === destinationKey.toLowerCase());
        if (!destination || subtree(folder.id).includes(destination.id)) return send(res, 400, GRAPH_ERROR('ErrorInvalidRequest', 'The destination folder is invalid.'));
        folder.parentFolderId = destination.id;
        return req.method === 'DELETE' ? send(res, 204) : send(res, 201, folderView(folder));
      }
      const gone = new Set(subtree(folder.id));
      for (const id of gone) folders.delete(id);
      for (const message of [...messages.values()]) if (gone.has(message.folderId)) messages.delete(message.id);
      return send(res, 204);
    }
    if ((m = /^\/me\/mailFolders\/([^/]+)\/messages\/delta$/.exec(path)) && req.method === 'GET') {
      const folderKey = decodeURIComponent(m[1]!);
      const folder = folders.get(folderKey) ?? [...folders.values()].find((f) => f.wellKnownName === folderKey.toLowerCase());
      if (!folder) return send(res, 404, GRAPH_ERROR('ErrorItemNotFound', 'The specified object was not found in the store.'));
      const tokenText = url.searchParams.get('$deltatoken') ?? url.searchParams.get('$skiptoken');
      if (tokenText) {
        let state: { kind: string; folderId: string; afterSeq: number; since: string | null; gen: number };
        try {
          state = JSON.parse(Buffer.from(tokenText, 'base64url').toString('utf8')) as typeof state;
        } catch {
          return send(res, 400, GRAPH_ERROR('ErrorInvalidSyncStateData', 'Sync state data is corrupt or otherwise invalid.'));
        }
        if (state.gen < tokenFloor) return send(res, 410, GRAPH_ERROR('SyncStateNotFound', 'The sync state generation is invalid or not found.'));
        return deltaPage(req, res, folder.id, state.afterSeq, state.since);
      }
      const filter = /receivedDateTime\s+ge\s+(\S+)/i.exec(url.searchParams.get('$filter') ?? '');
      return deltaPage(req, res, folder.id, 0, filter?.[1] ?? null);
    }
    // A folder's messages, filtered as Graph documents it on the Message-ID
    // (`internetMessageId eq '<id>'`, an OData string literal, a quote inside doubled) or on when it was
    // sent (`sentDateTime ge <UTC time>`), newest first; `internetMessageHeaders` only when $select names it.
    if ((m = /^\/me\/mailFolders\/([^/]+)\/messages$/.exec(path)) && req.method === 'GET') {
      const folderKey = decodeURIComponent(m[1]!);
      const folder = folders.get(folderKey) ?? [...folders.values()].find((f) => f.wellKnownName === folderKey.toLowerCase());
      if (!folder) return send(res, 404, GRAPH_ERROR('ErrorItemNotFound', 'The specified object was not found in the store.'));
      const filterText = url.searchParams.get('$filter');
      const byId = filterText === null ? null : /^\s*internetMessageId\s+eq\s+'((?:[^']|'')*)'\s*$/i.exec(filterText);
      const sentSince = filterText === null ? null : /^\s*sentDateTime\s+ge\s+(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z)\s*$/i.exec(filterText);
      if (filterText !== null && !byId && !sentSince) return send(res, 400, GRAPH_ERROR('ErrorInvalidUrlQueryFilter', 'The query filter contains one or more invalid nodes.'));
      const wanted = byId ? byId[1]!.replace(/''/g, "'") : null;
      const since = sentSince ? Date.parse(sentSince[1]!) : null;
      const withHeaders = (url.searchParams.get('$select') ?? '').split(',').some((field) => field.trim() === 'internetMessageHeaders');
      const top = Math.min(1000, Math.max(1, Number(url.searchParams.get('$top') ?? pageSize) || pageSize));
      const found = [...messages.values()]
        .filter((message) => message.folderId === folder.id && (wanted === null || message.internetMessageId === wanted) && (since === null || (message.sentDateTime !== undefined && Date.parse(message.sentDateTime) >= since)))
        .sort((a, b) => b.seq - a.seq)
        .slice(0, top);
      const headersOf = (raw: string): { name: string; value: string }[] =>
        (raw.split(/\r?\n\r?\n/)[0] ?? '').replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/).flatMap((line) => {
          const colon = line.indexOf(':');
          return colon > 0 ? [{ name: line.slice(0, colon), value: line.slice(colon + 1).trim() }] : [];
        });
      return send(res, 200, {
        value: found.map((message) => ({
          id: idFor(message, req),
          internetMessageId: message.internetMessageId,
          conversationId: message.conversationId,
          parentFolderId: message.folderId,
          isDraft: message.isDraft,
          subject: message.subject,
          ...(message.sentDateTime ? { sentDateTime: message.sentDateTime } : {}),
          ...(withHeaders ? { internetMessageHeaders: headersOf(message.raw) } : {}),
        })),
      });
    }
    if ((m = /^\/me\/messages\/([^/]+)\/\$value$/.exec(path)) && req.method === 'GET') {
      const message = lookup(decodeURIComponent(m[1]!));
      if (!message) return send(res, 404, GRAPH_ERROR('ErrorItemNotFound', 'The specified object was not found in the store.'));
      res.writeHead(200, { 'content-type': 'text/plain' });
      return void res.end(message.bytes ?? message.raw);
    }
    if (path === '/me/messages' && req.method === 'POST') {
      if (!(req.headers['content-type'] ?? '').startsWith('text/plain')) return send(res, 400, GRAPH_ERROR('ErrorMimeContentInvalid', 'This fake accepts drafts as base64 MIME only.'));
      const mime = Buffer.from(body.trim(), 'base64').toString('utf8');
      if (!/\r?\n\r?\n/.test(mime)) return send(res, 400, GRAPH_ERROR('ErrorMimeContentInvalidBase64String', 'Invalid base64 string for MIME content.'));
      const raw = options.assignInternetMessageIds ? withHeader(mime, 'Message-ID', `<${randomBytes(12).toString('hex').toUpperCase()}@DM6PR11MB4657.namprd11.prod.outlook.com>`) : mime;
      const draftsId = [...folders.values()].find((f) => f.wellKnownName === 'drafts')!.id;
      const draft = store(raw, draftsId, true);
      return send(res, 201, { id: idFor(draft, req), internetMessageId: draft.internetMessageId, conversationId: draft.conversationId, isDraft: true, subject: draft.subject });
    }
    if ((m = /^\/me\/messages\/([^/]+)\/send$/.exec(path)) && req.method === 'POST') {
      const draft = lookup(decodeURIComponent(m[1]!));
      if (!draft || !draft.isDraft) return send(res, 404, GRAPH_ERROR('ErrorItemNotFound', 'The specified object was not found in the store.'));
      // The sent copy lands in Sent Items; moving to another folder gives an item a new regular id.
      messages.delete(draft.id);
      draft.id = newItemId();
      messages.set(draft.id, draft);
      draft.isDraft = false;
      draft.sentDateTime = new Date().toISOString();
      draft.folderId = [...folders.values()].find((f) => f.wellKnownName === (options.holdSentInOutbox ? 'outbox' : 'sentitems'))!.id;
      sent.push({ id: draft.id, immutableId: draft.immutableId, internetMessageId: draft.internetMessageId, conversationId: draft.conversationId });
      return send(res, 202);
    }
    if ((m = /^\/me\/messages\/([^/]+)\/move$/.exec(path)) && req.method === 'POST') {
      const message = lookup(decodeURIComponent(m[1]!));
      if (!message) return send(res, 404, GRAPH_ERROR('ErrorItemNotFound', 'The specified object was not found in the store.'));
      const destinationKey = String((JSON.parse(body || '{}') as { destinationId?: unknown }).destinationId ?? '');
      const destination = folders.get(destinationKey) ?? [...folders.values()].find((f) => f.wellKnownName === destinationKey.toLowerCase());
      if (!destination) return send(res, 400, GRAPH_ERROR('ErrorInvalidIdMalformed', 'Id is malformed.'));
      // A new item in the destination folder: a new regular id, and new to that folder's delta.
      messages.delete(message.id);
      message.id = newItemId();
      messages.set(message.id, message);
      message.folderId = destination.id;
      seq += 1;
      message.seq = seq;
      return send(res, 201, { id: idFor(message, req), internetMessageId: message.internetMessageId, conversationId: message.conversationId, parentFolderId: message.folderId, isDraft: message.isDraft });
    }
    if ((m = /^\/me\/messages\/([^/]+)$/.exec(path)) && req.method === 'GET') {
      const message = lookup(decodeURIComponent(m[1]!));
      if (!message) return send(res, 404, GRAPH_ERROR('ErrorItemNotFound', 'The specified object was not found in the store.'));
      return send(res, 200, { id: idFor(message, req), internetMessageId: message.internetMessageId, conversationId: message.conversationId, parentFolderId: message.folderId, isDraft: message.isDraft });
    }
    if ((m = /^\/me\/messages\/([^/]+)$/.exec(path)) && req.method === 'DELETE') {
      const message = lookup(decodeURIComponent(m[1]!));
      if (!message) return send(res, 404, GRAPH_ERROR('ErrorItemNotFound', 'The specified object was not found in the store.'));
      messages.delete(message.id);
      return send(res, 204);
    }
    if (path === '/subscriptions' && req.method === 'POST') {
      const request = JSON.parse(body) as { changeType?: string; notificationUrl?: string; lifecycleNotificationUrl?: string; resource?: string; expirationDateTime?: string; clientState?: string };
      if (!request.notificationUrl || !request.resource || !request.expirationDateTime || !request.changeType) return send(res, 400, GRAPH_ERROR('InvalidRequest', 'Missing required subscription properties.'));
      const maxExpiry = Date.now() + 10_070 * 60_000;
      if (Date.parse(request.expirationDateTime) > maxExpiry) return send(res, 400, GRAPH_ERROR('InvalidRequest', 'Subscription expiration can only be 10070 minutes in the future.'));
      // The validation handshake: POST ?validationToken=…, expect 200 text/plain echoing it within 10 s.
      const validationToken = `Validation: Testing client application reachability for subscription Request-Id: ${randomUUID()}`;
      const answer = await fetch(`${request.notificationUrl}${request.notificationUrl.includes('?') ? '&' : '?'}validationToken=${encodeURIComponent(validationToken)}`, { method: 'POST', signal: AbortSignal.timeout(10_000) }).catch(() => undefined);
      const echoed = answer ? await answer.text() : '';
      if (!answer || answer.status !== 200 || echoed !== validationToken || !(answer.headers.get('content-type') ?? '').startsWith('text/plain')) {
        return send(res, 400, GRAPH_ERROR('InvalidRequest', 'Subscription validation request failed. Response must exactly match validationToken query parameter.'));
      }
      const subscription = { id: randomUUID(), notificationUrl: request.notificationUrl, lifecycleNotificationUrl: request.lifecycleNotificationUrl, clientState: request.clientState, expirationDateTime: request.expirationDateTime, resource: request.resource };
      subscriptions.push(subscription);
      return send(res, 201, { '@odata.context': `${origin}/v1.0/$metadata#subscriptions/$entity`, ...subscription, changeType: request.changeType });
    }
    if ((m = /^\/subscriptions\/([^/]+)$/.exec(path)) && req.method === 'PATCH') {
      const subscription = subscriptions.find((s) => s.id === m![1]);
      if (!subscription) return send(res, 404, GRAPH_ERROR('ResourceNotFound', 'The object was not found.'));
      const request = JSON.parse(body) as { expirationDateTime?: string };
      if (!request.expirationDateTime || Date.parse(request.expirationDateTime) > Date.now() + 10_070 * 60_000) return send(res, 400, GRAPH_ERROR('InvalidRequest', 'Subscription expiration can only be 10070 minutes in the future.'));
      subscription.expirationDateTime = request.expirationDateTime;
      return send(res, 200, { ...subscription, changeType: 'created' });
    }
    // https://learn.microsoft.com/graph/api/subscription-delete: 204 No Content; an unknown id is 404.
    if ((m = /^\/subscriptions\/([^/]+)$/.exec(path)) && req.method === 'DELETE') {
      const index = subscriptions.findIndex((s) => s.id === m![1]);
      if (index < 0) return send(res, 404, GRAPH_ERROR('ResourceNotFound', 'The object was not found.'));
      subscriptions.splice(index, 1);
      return send(res, 204);
    }
    return send(res, 400, GRAPH_ERROR('BadRequest', `Resource not found for the segment '${path.split('/').pop() ?? ''}'.`));
  };

  const server: Server = createServer({ key: certs.key, cert: certs.cert }, (req, res) => {
    handle(req, res).catch((err: unknown) => send(res, 500, GRAPH_ERROR('generalException', err instanceof Error ? err.message : String(err))));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  origin = `https://localhost:${port}`;

  return {
    origin,
    host: 'localhost',
    ca: certs.ca,
    tokenUrl: `${origin}/common/oauth2/v2.0/token`,
    authority: `${origin}/common`,
    issueGrant: newGrant,
    revokeAll: () => {
      for (const token of refreshTokens) revoked.add(token);
    },
    deliver: (raw, folderName = 'Inbox', deliverOptions = {}) => {
      const folder = [...folders.values()].find((f) => f.displayName === folderName);
      const message = store(typeof raw === 'string' ? raw : raw.toString('latin1'), folder?.id ?? inboxId, false);
      if (typeof raw !== 'string') message.bytes = raw;
      if (deliverOptions.notify !== false) notify(message);
      return { id: message.id, conversationId: message.conversationId };
    },
    sendLifecycle: async (event) => {
      for (const sub of subscriptions) {
        if (!sub.lifecycleNotificationUrl) continue;
        const body = { value: [{ subscriptionId: sub.id, subscriptionExpirationDateTime: sub.expirationDateTime, tenantId: '00000000-0000-0000-0000-000000000001', clientState: sub.clientState, lifecycleEvent: event }] };
        await fetch(sub.lifecycleNotificationUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }).catch(() => undefined);
      }
    },
    createFolder: (displayName, parentName) => addFolder(displayName, null, parentName ? ([...folders.values()].find((f) => f.displayName === parentName)?.id ?? null) : null),
    expireDeltaTokens: () => {
      tokenFloor += 1;
    },
    throttleNext: (count, retryAfterSeconds, only) => {
      throttle = { count, retryAfter: retryAfterSeconds, only };
    },
    failNext: (count, status, only) => {
      failure = { count, status, only };
    },
    subscriptions,
    sent,
    releaseOutbox: () => {
      const outbox = [...folders.values()].find((f) => f.wellKnownName === 'outbox');
      const sentItems = [...folders.values()].find((f) => f.wellKnownName === 'sentitems')!;
      for (const message of [...messages.values()].filter((m) => outbox !== undefined && m.folderId === outbox.id)) {
        // Into Sent Items: a new regular id there, the immutable one kept.
        messages.delete(message.id);
        const entry = sent.find((e) => e.immutableId === message.immutableId);
        message.id = newItemId();
        message.folderId = sentItems.id;
        messages.set(message.id, message);
        if (entry) entry.id = message.id;
      }
    },
    folderMessages: (folderName) => {
      const folder = [...folders.values()].find((f) => f.displayName === folderName);
      return [...messages.values()].filter((m) => m.folderId === folder?.id).map(({ id, immutableId, internetMessageId, conversationId, raw, isDraft }) => ({ id, immutableId, internetMessageId, conversationId, raw, isDraft }));
    },
    close: async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
}
