import { z } from 'zod';

/**
 * Where a Gmail mailbox's sync stands. During the initial sync we page through messages.list and
 * already hold the historyId to continue from; afterwards we page through history.list.
 */
export const GmailCursor = z.discriminatedUnion('phase', [
  z.object({ v: z.literal(1), phase: z.literal('initial'), historyId: z.string().regex(/^\d+$/), pageToken: z.string().min(1) }),
  z.object({ v: z.literal(1), phase: z.literal('history'), historyId: z.string().regex(/^\d+$/), pageToken: z.string().min(1).optional() }),
]);
export type GmailCursor = z.infer<typeof GmailCursor>;

export function encodeGmailCursor(cursor: GmailCursor): string {
  return JSON.stringify(cursor);
}

/** Undefined for anything unreadable: the caller treats it as an expired cursor and resyncs. */
export function decodeGmailCursor(text: string): GmailCursor | undefined {
  try {
    const parsed = GmailCursor.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** Gmail history ids are uint64 decimal strings; compare them without losing precision. */
export function maxHistoryId(a: string | undefined, b: string | null | undefined): string | undefined {
  if (!b) return a;
  if (!a) return b;
  return BigInt(b) > BigInt(a) ? b : a;
}
