import { createHash } from 'node:crypto';

/** A namespace of our own for name-based UUIDs (RFC 9562 §6.6): the sent email of a send request. */
const SENT_EMAIL_NAMESPACE = Buffer.from('6f1d0c7e5b2a4c8e9d3f0a1b2c3d4e5f', 'hex');

/**
 * The sent email's id, derived from its send request (a UUIDv5, RFC 9562 §5.5). A send is one
 * transaction around the provider call; when the process dies after the provider accepted the
 * message but before the commit, the redelivered request finds the copy in the sent mail and records
 * it (send-attempts, sent-copy-finder). Derived, the recorded email has the id the copy's tracking
 * pixel and links carry, and in the cases where a second copy still goes out (ADR 13), both carry the
 * same id, so an open or click of either belongs to the one sent email that was recorded. The
 * Message-ID is derived from the request for the same reason.
 */
export function sentEmailIdOf(sendRequestId: string): string {
  return nameBasedUuid(SENT_EMAIL_NAMESPACE, sendRequestId);
}

/** UUIDv5 (RFC 9562 §5.5): SHA-1 of the namespace's 16 bytes and the name, version and variant bits set. */
export function nameBasedUuid(namespace: Buffer, name: string): string {
  const hash = createHash('sha1').update(namespace).update(name, 'utf8').digest();
  const bytes = hash.subarray(0, 16);
  bytes[6] = (bytes[6]! & 0x0f) | 0x50;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
