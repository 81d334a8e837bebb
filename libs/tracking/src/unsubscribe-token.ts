import { timingSafeEqual } from 'node:crypto';
import type { SigningKeyRing } from './signing-key-ring';
import { SIGNING_KEY_ID_PATTERN } from './signing-key-ring';
import { isCanonicalBase64Url } from './tracking-token-codec';
import { bytesToUuid, UUID_BYTES, uuidToBytes } from './uuid-bytes';

/*
 * The token of a List-Unsubscribe URL (RFC 8058 §3.1: the URL must identify the recipient and the
 * list by itself, with no cookie). Signed with the tracking key ring, in a layout of its own whose
 * first byte (2) no tracking token has (they start with 1), so a MAC made for one kind never
 * verifies as the other:
 *
 *   0       1   layout (2 = unsubscribe)
 *   1       1   key id length n (1..8)
 *   2       n   key id, ASCII [a-z0-9]
 *   2+n     16  orgId (UUID bytes)
 *   18+n    16  enrollmentId (UUID bytes)
 *   34+n    4   issuedAt, uint32 big-endian seconds
 *   38+n    ..  the recipient address, UTF-8, 3..320 bytes
 *   last    16  HMAC-SHA256(key, every byte before it), truncated to 128 bits
 */

export interface UnsubscribeClaims {
  orgId: string;
  enrollmentId: string;
  /** Lower-cased. */
  address: string;
  issuedAt: Date;
}

export type UnsubscribeTokenVerification = { ok: true; claims: UnsubscribeClaims } | { ok: false; reason: 'malformed' | 'unknown_key' | 'bad_signature' };

const LAYOUT = 2;
const MAC_BYTES = 16;
const MIN_ADDRESS_BYTES = 3;
const MAX_ADDRESS_BYTES = 320;
const FIXED = 2 * UUID_BYTES + 4;
/** The longest token: 8-character kid and a 320-byte address. */
export const MAX_UNSUBSCRIBE_TOKEN_CHARS = Math.ceil(((2 + 8 + FIXED + MAX_ADDRESS_BYTES + MAC_BYTES) * 4) / 3);
const MIN_UNSUBSCRIBE_TOKEN_CHARS = Math.floor(((2 + 1 + FIXED + MIN_ADDRESS_BYTES + MAC_BYTES) * 4) / 3);
const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Signs an unsubscribe token (TypeError/RangeError on ids that are not UUIDs or an address out of bounds). */
export function signUnsubscribeToken(claims: UnsubscribeClaims, keys: SigningKeyRing): string {
  const keyId = keys.signingKeyId;
  if (!SIGNING_KEY_ID_PATTERN.test(keyId)) throw new TypeError('key id must be 1-8 characters of [a-z0-9]');
  const address = Buffer.from(claims.address.trim().toLowerCase(), 'utf8');
  if (address.length < MIN_ADDRESS_BYTES || address.length > MAX_ADDRESS_BYTES) throw new RangeError(`address must be ${MIN_ADDRESS_BYTES} to ${MAX_ADDRESS_BYTES} UTF-8 bytes`);
  const seconds = Math.floor(claims.issuedAt.getTime() / 1000);
  if (!Number.isFinite(seconds) || seconds < 0 || seconds > 0xffffffff) throw new RangeError('issuedAt must be a valid date between 1970 and 2106');
  const head = Buffer.alloc(2 + keyId.length + FIXED);
  let offset = head.writeUInt8(LAYOUT, 0);
  offset = head.writeUInt8(keyId.length, offset);
  offset += head.write(keyId, offset, 'ascii');
  offset += uuidToBytes(claims.orgId).copy(head, offset);
  offset += uuidToBytes(claims.enrollmentId).copy(head, offset);
  head.writeUInt32BE(seconds, offset);
  const signed = Buffer.concat([head, address]);
  const mac = keys.hmacSha256(keyId, signed);
  if (mac === null) throw new Error('signing key missing from its own ring');
  return Buffer.concat([signed, mac.subarray(0, MAC_BYTES)]).toString('base64url');
}

/** Verifies a token from a `/u/{token}` URL without I/O; cheap shape checks run before the HMAC. */
export function verifyUnsubscribeToken(token: string, keys: SigningKeyRing): UnsubscribeTokenVerification {
  const malformed = { ok: false, reason: 'malformed' } as const;
  if (typeof token !== 'string' || token.length < MIN_UNSUBSCRIBE_TOKEN_CHARS || token.length > MAX_UNSUBSCRIBE_TOKEN_CHARS) return malformed;
  if (!isCanonicalBase64Url(token)) return malformed;
  const bytes = Buffer.from(token, 'base64url');
  if (bytes[0] !== LAYOUT) return malformed;
  const kidLength = bytes[1] ?? 0;
  if (kidLength < 1 || kidLength > 8) return malformed;
  const fixedEnd = 2 + kidLength + FIXED;
  const addressBytes = bytes.length - fixedEnd - MAC_BYTES;
  if (addressBytes < MIN_ADDRESS_BYTES || addressBytes > MAX_ADDRESS_BYTES) return malformed;
  const keyId = bytes.toString('ascii', 2, 2 + kidLength);
  if (!SIGNING_KEY_ID_PATTERN.test(keyId)) return malformed;
  const signed = bytes.subarray(0, bytes.length - MAC_BYTES);
  const expected = keys.hmacSha256(keyId, signed);
  if (expected === null) return { ok: false, reason: 'unknown_key' };
  if (!timingSafeEqual(expected.subarray(0, MAC_BYTES), bytes.subarray(bytes.length - MAC_BYTES))) return { ok: false, reason: 'bad_signature' };
  let address: string;
  try {
    address = STRICT_UTF8.decode(bytes.subarray(fixedEnd, fixedEnd + addressBytes));
  } catch {
    return malformed;
  }
  const at = 2 + kidLength;
  return {
    ok: true,
    claims: {
      orgId: bytesToUuid(bytes.subarray(at, at + UUID_BYTES)),
      enrollmentId: bytesToUuid(bytes.subarray(at + UUID_BYTES, at + 2 * UUID_BYTES)),
      address,
      issuedAt: new Date(bytes.readUInt32BE(at + 2 * UUID_BYTES) * 1000),
    },
  };
}

/** `<base>/u/<token>`: the List-Unsubscribe URL (RFC 2369 §3.2, RFC 8058). */
export function buildUnsubscribeUrl(trackingBaseUrl: string, token: string): string {
  if (!/^[A-Za-z0-9_-]+$/.test(token)) throw new TypeError('token must be base64url');
  return `${trackingBaseUrl.replace(/\/+$/, '')}/u/${token}`;
}
