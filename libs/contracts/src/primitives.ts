import { z } from 'zod';
import { UUID_PATTERN } from './patterns';

export { UUID_PATTERN };

/** Canonical lower-case UUID (any version). */
export const Uuid = z.string().regex(UUID_PATTERN, 'must be a lower-case UUID');

/** ISO-8601 instant in UTC, as produced by Date#toISOString. */
export const Instant = z.iso.datetime({ offset: false });

/** Calendar date, YYYY-MM-DD. */
export const CalendarDate = z.iso.date();

/**
 * A mailbox address. Deliberately permissive (RFC 5321 local parts and IDNs are wider than any
 * strict regex); we only insist on one "@" with something on both sides, and store it lower-cased.
 */
export const EmailAddress = z
  .string()
  .trim()
  .min(3)
  .max(320)
  .regex(/^[^\s@<>]+@[^\s@<>]+$/, 'must be an email address')
  .transform((value) => value.toLowerCase());

/**
 * Whether two addresses name the same mailbox. RFC 5321 §2.4 lets a server treat the local part as
 * case-sensitive, but no mail provider does, and we store addresses lower-cased (EmailAddress), so
 * the whole address is compared without regard to case.
 */
export function sameMailboxAddress(a: string, b: string): boolean {
  return a.trim().toLowerCase() === b.trim().toLowerCase();
}

export const Address = z.object({
  address: EmailAddress,
  name: z.string().max(998).nullable(),
});
export type Address = z.infer<typeof Address>;

/** RFC 5322 msg-id, angle brackets included. */
export const RfcMessageId = z.string().min(3).max(998).regex(/^<[^<>\s]+>$/, 'must be an RFC 5322 msg-id in angle brackets');
