import { gmail as gmailApi } from '@googleapis/gmail';
import { ImapFlow, type ListResponse } from 'imapflow';
import { z } from 'zod';
import { createGraphClient, MailProviderError, type SendResult } from '@telltale/mail';
import type { MailboxTransport } from '../clients/mailbox-transport.client';

/** How long one question to the provider may take before it counts as unanswered. */
export const SENT_COPY_LOOKUP_TIMEOUT_MS = 15_000;

/**
 * A header of ours on every message we send, naming its send request. Gmail's API and Exchange may
 * replace the Message-ID we composed; the header stays, and is how their sent copy is recognised then.
 */
export const SEND_ID_HEADER = 'X-Telltale-Send-Id';

/** Sent messages looked through for the header, at most, when the Message-ID did not find the copy. */
const MAX_CANDIDATES = 100;
/** How far before the attempt the candidates reach (the provider's clock against ours). */
const CANDIDATE_SKEW_MS = 300_000;

/** What is looked for: the Message-ID we composed, and the send request our header names. */
export interface SentCopyQuery {
  messageId: string;
  sendRequestId: string;
  /** When the message was handed to the provider. */
  attemptedAt: Date;
}

/** Ids that survive the draft's move to Sent Items (https://learn.microsoft.com/graph/outlook-immutable-id). */
const IMMUTABLE_IDS = { Prefer: 'IdType="ImmutableId"' };
const graphMessages = z.looseObject({
  value: z.array(
    z.looseObject({
      id: z.string(),
      internetMessageId: z.string().nullish(),
      conversationId: z.string().nullish(),
      internetMessageHeaders: z.array(z.looseObject({ name: z.string(), value: z.string().nullish() })).nullish(),
    }),
  ),
});

/** The provider could not say whether the message is there (an error, a timeout, no way to ask): never read as "not sent". */
export class SentCopyLookupFailed extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SentCopyLookupFailed';
  }
}

/**
 * Asks the mailbox's provider whether this message was sent through it: the sent copy's ids when
 * it is there, null when the provider answered that it is not, and SentCopyLookupFailed when it did
 * not answer. Reads only; never sends.
 *  - Gmail: users.messages.list with `q=rfc822msgid:<id>` (spam and trash included, a copy the rep
 *    deleted was still sent), then messages.get for the stored Message-ID and thread. Gmail's API
 *    replaces the Message-ID of what it sends, so when that finds nothing, the sent mail since the
 *    attempt (`in:sent after:<epoch seconds>`, at most 100) is read for our X-Telltale-Send-Id.
 *  - Microsoft Graph: Sent Items filtered on `internetMessageId eq '<id>'`, immutable ids; then,
 *    as Exchange may assign its own Message-ID, Sent Items since the attempt (`sentDateTime ge`, at
 *    most 100) with their `internetMessageHeaders`, for our header. Sent Items only: a draft with
 *    the id in Drafts is a message that may never have been sent.
 *  - IMAP mailboxes: `UID SEARCH HEADER Message-ID <id>` in the RFC 6154 \Sent folder (by name on
 *    servers without SPECIAL-USE).
 */
export async function findSentCopy(mailbox: MailboxTransport, query: SentCopyQuery, timeoutMs = SENT_COPY_LOOKUP_TIMEOUT_MS): Promise<SendResult | null> {
  const lookup = lookupIn(mailbox, query, timeoutMs);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new SentCopyLookupFailed(`the ${mailbox.provider} provider did not answer within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    return await Promise.race([lookup, timeout]);
  } catch (err) {
    if (err instanceof SentCopyLookupFailed) throw err;
    const reason = err instanceof MailProviderError ? `${err.code}: ${err.message}` : err instanceof Error ? err.message : String(err);
    throw new SentCopyLookupFailed(`looking for the sent copy failed (${reason.slice(0, 300)})`);
  } finally {
    clearTimeout(timer);
    lookup.catch(() => undefined);
  }
}

async function lookupIn(mailbox: MailboxTransport, query: SentCopyQuery, timeoutMs: number): Promise<SendResult | null> {
  switch (mailbox.provider) {
    case 'gmail':
      if (!mailbox.gmail) throw new SentCopyLookupFailed('the Gmail mailbox has no usable authorization');
      return findInGmail(mailbox.gmail, query, timeoutMs);
    case 'graph':
      if (!mailbox.graph) throw new SentCopyLookupFailed('the Microsoft 365 mailbox has no usable authorization');
      return findInGraph(mailbox.graph, query);
    case 'imap':
      if (!mailbox.imap) throw new SentCopyLookupFailed('mailbox-sync handed out no IMAP server for the mailbox');
      return findInImapSent(mailbox.imap, query.messageId, timeoutMs);
  }
}

const headerValue = (headers: { name?: string | null; value?: string | null }[] | null | undefined, name: string): string | undefined =>
  (headers ?? []).find((h) => h.name?.toLowerCase() === name.toLowerCase())?.value?.trim() || undefined;

async function findInGmail(settings: NonNullable<Extract<MailboxTransport, { provider: 'gmail' }>['gmail']>, query: SentCopyQuery, timeoutMs: number): Promise<SendResult | null> {
  const gmail = gmailApi({ version: 'v1', rootUrl: settings.apiRootUrl });
  const options = { headers: { Authorization: `Bearer ${settings.accessToken}` }, retry: false, timeout: timeoutMs };
  const metadata = async (id: string) =>
    (await gmail.users.messages.get({ userId: 'me', id, format: 'metadata', metadataHeaders: ['Message-ID', SEND_ID_HEADER] }, options)).data;
  const byMessageId = await gmail.users.messages.list({ userId: 'me', q: `rfc822msgid:${query.messageId}`, includeSpamTrash: true, maxResults: 10 }, options);
  const id = byMessageId.data.messages?.find((m) => m.id)?.id;
  if (id) {
    const stored = await metadata(id);
    return { messageId: headerValue(stored.payload?.headers, 'Message-ID') ?? query.messageId, providerMessageId: id, providerThreadId: stored.threadId ?? null };
  }
  const after = Math.floor((query.attemptedAt.getTime() - CANDIDATE_SKEW_MS) / 1_000);
  const recent = await gmail.users.messages.list({ userId: 'me', q: `in:sent after:${after}`, includeSpamTrash: true, maxResults: MAX_CANDIDATES }, options);
  for (const candidate of recent.data.messages ?? []) {
    if (!candidate.id) continue;
    const stored = await metadata(candidate.id);
    if (headerValue(stored.payload?.headers, SEND_ID_HEADER) !== query.sendRequestId) continue;
    const messageId = headerValue(stored.payload?.headers, 'Message-ID');
    if (!messageId) throw new SentCopyLookupFailed('Gmail: the sent copy has no Message-ID');
    return { messageId, providerMessageId: candidate.id, providerThreadId: stored.threadId ?? candidate.threadId ?? null };
  }
  return null;
}

async function findInGraph(settings: NonNullable<Extract<MailboxTransport, { provider: 'graph' }>['graph']>, query: SentCopyQuery): Promise<SendResult | null> {
  const token = settings.accessToken;
  const client = createGraphClient({ tokens: { accessToken: async () => token }, origin: settings.origin, ...(settings.caPem ? { ca: settings.caPem } : {}) });
  const sentItems = async (filter: string, select: string[], top: number) =>
    graphMessages.parse(await client.api('/me/mailFolders/sentitems/messages').headers(IMMUTABLE_IDS).filter(filter).select(select).top(top).get()).value;
  // OData string literal: single quotes, a quote inside doubled.
  const [byMessageId] = await sentItems(`internetMessageId eq '${query.messageId.replace(/'/g, "''")}'`, ['id', 'internetMessageId', 'conversationId'], 10);
  const sent =
    byMessageId ??
    (await sentItems(`sentDateTime ge ${new Date(query.attemptedAt.getTime() - CANDIDATE_SKEW_MS).toISOString().replace(/\.\d{3}Z$/, 'Z')}`, ['id', 'internetMessageId', 'conversationId', 'internetMessageHeaders'], MAX_CANDIDATES)).find(
      (m) => headerValue(m.internetMessageHeaders, SEND_ID_HEADER) === query.sendRequestId,
    );
  if (!sent) return null;
  return { messageId: sent.internetMessageId ?? query.messageId, providerMessageId: sent.id, providerThreadId: sent.conversationId ?? null };
}

type ImapServer = NonNullable<Extract<MailboxTransport, { provider: 'imap' }>['imap']>;

/** Names of the Sent folder on servers that do not mark it \Sent (RFC 6154). */
const SENT_FOLDER_NAMES = ['sent', 'sent items', 'sent messages', 'sent mail', 'inbox.sent', 'inbox/sent'];

/** The mailbox's Sent folder: the one marked \Sent, else the first with a usual name. */
export function sentFolderOf(folders: Pick<ListResponse, 'path' | 'specialUse' | 'flags'>[]): string | null {
  const marked = folders.find((f) => f.specialUse === '\\Sent' && !f.flags.has('\\Noselect'));
  if (marked) return marked.path;
  return folders.find((f) => SENT_FOLDER_NAMES.includes(f.path.toLowerCase()) && !f.flags.has('\\Noselect'))?.path ?? null;
}

async function withImap<T>(server: ImapServer, timeoutMs: number, work: (client: ImapFlow) => Promise<T>): Promise<T> {
  const client = new ImapFlow({
    host: server.host,
    ...(server.servername === undefined ? {} : { servername: server.servername }),
    port: server.port,
    secure: server.secure,
    auth: { user: server.auth.user, pass: server.auth.pass },
    logger: false,
    disableAutoIdle: true,
    connectionTimeout: timeoutMs,
    greetingTimeout: timeoutMs,
    socketTimeout: timeoutMs,
  });
  client.on('error', () => undefined);
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.logout().catch(() => client.close());
  }
}

async function findInImapSent(server: ImapServer, messageId: string, timeoutMs: number): Promise<SendResult | null> {
  return withImap(server, timeoutMs, async (client) => {
    const sent = sentFolderOf(await client.list());
    if (sent === null) return null;
    const lock = await client.getMailboxLock(sent, { readOnly: true });
    try {
      const uids = await client.search({ header: { 'message-id': messageId } }, { uid: true });
      if (uids === false || uids === undefined) throw new SentCopyLookupFailed(`the server refused to search ${sent}`);
      return uids.length > 0 ? { messageId, providerMessageId: null, providerThreadId: null } : null;
    } finally {
      lock.release();
    }
  });
}
