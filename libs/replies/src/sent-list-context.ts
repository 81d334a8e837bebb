import { createHash } from 'node:crypto';
import { z } from 'zod';
import { DEFAULT_ACTIVE_WINDOW_DAYS, type DetectionContext } from './detection-context';
import { domainOf, referencedMessageIds } from './message-matcher';
import type { InboundMessage, SentEmailRecord } from './reply-verdict';
import { threadIndexConversationKey } from './thread-index';

/** One email we sent, as an operator writes it in sent.json (`npx telltale classify-reply --sent`). */
export const SentListEntry = z.object({
  messageId: z.string().regex(/^<[^<>\s]+>$/, 'messageId must be an angle-bracketed msg-id, e.g. "<abc@example.com>"'),
  from: z.string().min(3),
  to: z.array(z.string().min(3)).min(1),
  cc: z.array(z.string().min(3)).default([]),
  subject: z.string().default(''),
  sentAt: z.iso.datetime({ offset: true }),
  /** Optional: Gmail threadId / Graph conversationId recorded at send. */
  providerThreadId: z.string().nullable().optional(),
  /** Optional: the Thread-Index of the conversation, when known. */
  threadIndex: z.string().nullable().optional(),
  enrollmentId: z.string().nullable().optional(),
});
export type SentListEntry = z.infer<typeof SentListEntry>;
export const SentList = z.array(SentListEntry);

const ZERO_UUID = '00000000-0000-0000-0000-000000000000';

/** A stable UUID-shaped id per Message-ID, so the same sent.json always yields the same records. */
function idFor(messageId: string): string {
  const h = createHash('sha256').update(messageId).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export interface IndexedSentEmail {
  record: SentEmailRecord;
  conversationKey: string | null;
}

export function indexSentList(entries: readonly SentListEntry[]): IndexedSentEmail[] {
  return entries.map((e) => ({
    record: {
      sentEmailId: idFor(e.messageId),
      orgId: ZERO_UUID,
      mailboxId: ZERO_UUID,
      enrollmentId: e.enrollmentId ?? null,
      sequenceId: null,
      messageId: e.messageId,
      providerThreadId: e.providerThreadId ?? null,
      from: e.from.toLowerCase(),
      to: e.to.map((a) => a.toLowerCase()),
      cc: e.cc.map((a) => a.toLowerCase()),
      sentAt: new Date(e.sentAt),
    },
    conversationKey: threadIndexConversationKey(e.threadIndex ?? null),
  }));
}

export interface SentListContextOptions {
  freeMailDomains: ReadonlySet<string>;
  activeWindowDays?: number;
  /** Mailbox owner; default the sender of the newest sent email. */
  mailboxAddress?: string;
}

/**
 * The in-memory twin of the service's database lookups: the same questions, asked of a list. The
 * org's own addresses and domains are the senders of the list.
 */
export function contextFromSentList(message: InboundMessage, sent: readonly IndexedSentEmail[], options: SentListContextOptions): DetectionContext {
  const windowMs = (options.activeWindowDays ?? DEFAULT_ACTIVE_WINDOW_DAYS) * 86_400_000;
  const received = new Date(message.receivedAt).getTime();
  const newestFirst = [...sent].sort((a, b) => b.record.sentAt.getTime() - a.record.sentAt.getTime());
  const senders = new Set(newestFirst.map((s) => s.record.from));
  const orgDomains = new Set([...senders].map(domainOf).filter((d) => !options.freeMailDomains.has(d)));
  const ids = new Set(referencedMessageIds(message).map((r) => r.id));
  const active = newestFirst.filter((s) => s.record.sentAt.getTime() <= received && received - s.record.sentAt.getTime() <= windowMs).map((s) => s.record);
  const from = message.from?.address.toLowerCase() ?? '';
  const fromDomain = from ? domainOf(from) : '';
  const key = threadIndexConversationKey(message.threadIndex);
  return {
    mailboxAddress: options.mailboxAddress ?? newestFirst[0]?.record.from ?? '',
    orgDomains,
    teammates: senders,
    freeMailDomains: options.freeMailDomains,
    sentByMessageIds: new Map(newestFirst.filter((s) => ids.has(s.record.messageId)).map((s) => [s.record.messageId, s.record])),
    sentInProviderThread: message.providerThreadId ? newestFirst.filter((s) => s.record.providerThreadId === message.providerThreadId).map((s) => s.record) : [],
    sentInThreadIndexConversation: key ? newestFirst.filter((s) => s.conversationKey === key).map((s) => s.record) : [],
    recentSentToAddress: from ? active.filter((s) => [...s.to, ...s.cc].includes(from)) : [],
    recentSentToDomain: fromDomain ? active.filter((s) => s.to.some((a) => domainOf(a) === fromDomain)) : [],
  };
}
