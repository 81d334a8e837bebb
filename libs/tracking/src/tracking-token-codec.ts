import { MAX_CLICK_URL_BYTES } from './redirect-url-policy';
import { SIGNING_KEY_ID_PATTERN } from './signing-key-ring';
import type { TrackingClaims } from './tracking-claims';
import { UUID_BYTES, uuidAt, uuidToBytes } from './uuid-bytes';

/*
 * Binary layout of a version-1 token (then base64url, RFC 4648 §5, without padding):
 *
 *   offset        size  field
 *   0             1     version (1)
 *   1             1     key id length n (1..8)
 *   2             n     key id, ASCII [a-z0-9] — in the clear so the edge picks the key without a lookup
 *   2+n           1     kind: 1 = open, 2 = click
 *   3+n           16    orgId (UUID bytes)
 *   19+n          16    sentEmailId (UUID bytes)
 *   35+n          4     issuedAt, uint32 big-endian, seconds since the Unix epoch (good until 2106)
 *   click only:
 *   39+n          2     linkIndex, uint16 big-endian
 *   41+n          rest  url, UTF-8
 *   last          16    HMAC-SHA256(key, every byte before it), truncated to 128 bits
 *                       (RFC 2104 §5 allows truncation to no less than half the hash length)
 *
 * An open token is 75-84 characters, a click token adds about 4/3 of its URL.
 */

export const TOKEN_VERSION = 1;
export const MAC_BYTES = 16;
export const MAX_LINK_INDEX = 0xffff;
export const MAX_ISSUED_AT_SECONDS = 0xffffffff;

const KIND_OPEN = 1;
const KIND_CLICK = 2;
const MAX_KEY_ID_BYTES = 8;
const FIXED_CLAIM_BYTES = 2 * UUID_BYTES + 4;
const LINK_INDEX_BYTES = 2;

const MIN_TOKEN_BYTES = 2 + 1 + 1 + FIXED_CLAIM_BYTES + MAC_BYTES;
const MAX_TOKEN_BYTES = 2 + MAX_KEY_ID_BYTES + 1 + FIXED_CLAIM_BYTES + LINK_INDEX_BYTES + MAX_CLICK_URL_BYTES + MAC_BYTES;

/** Length of unpadded base64url for `bytes` bytes. */
function base64UrlLength(bytes: number): number {
  return Math.ceil((bytes * 4) / 3);
}

export const MIN_TOKEN_CHARS = base64UrlLength(MIN_TOKEN_BYTES);
export const MAX_TOKEN_CHARS = base64UrlLength(MAX_TOKEN_BYTES);

const STRICT_UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Everything before the MAC. Checks shapes and ranges only; URL policy is the signer's job. */
export function encodeSignedPart(keyId: string, claims: TrackingClaims): Buffer {
  if (!SIGNING_KEY_ID_PATTERN.test(keyId)) throw new TypeError('key id must be 1-8 characters of [a-z0-9]');
  const orgId = uuidToBytes(claims.orgId);
  const sentEmailId = uuidToBytes(claims.sentEmailId);
  const issuedAtMs = claims.issuedAt instanceof Date ? claims.issuedAt.getTime() : Number.NaN;
  const issuedAtSeconds = Math.floor(issuedAtMs / 1000);
  if (!Number.isFinite(issuedAtMs) || issuedAtSeconds < 0 || issuedAtSeconds > MAX_ISSUED_AT_SECONDS) {
    throw new RangeError('issuedAt must be a valid date between 1970 and 2106');
  }
  const header = Buffer.alloc(2 + keyId.length + 1 + FIXED_CLAIM_BYTES);
  let offset = header.writeUInt8(TOKEN_VERSION, 0);
  offset = header.writeUInt8(keyId.length, offset);
  offset += header.write(keyId, offset, 'ascii');
  offset = header.writeUInt8(claims.kind === 'click' ? KIND_CLICK : KIND_OPEN, offset);
  offset += orgId.copy(header, offset);
  offset += sentEmailId.copy(header, offset);
  header.writeUInt32BE(issuedAtSeconds, offset);
  if (claims.kind === 'open') return header;

  if (!Number.isInteger(claims.linkIndex) || claims.linkIndex < 0 || claims.linkIndex > MAX_LINK_INDEX) {
    throw new RangeError(`linkIndex must be an integer from 0 to ${MAX_LINK_INDEX}`);
  }
  const url = Buffer.from(claims.url, 'utf8');
  if (url.length === 0 || url.length > MAX_CLICK_URL_BYTES) {
    throw new RangeError(`url must be 1 to ${MAX_CLICK_URL_BYTES} UTF-8 bytes`);
  }
  const linkIndex = Buffer.alloc(LINK_INDEX_BYTES);
  linkIndex.writeUInt16BE(claims.linkIndex, 0);
  return Buffer.concat([header, linkIndex, url]);
}

/** A token split into its parts, after structural checks and before the MAC is checked. */
export interface TokenEnvelope {
  keyId: string;
  kind: 'open' | 'click';
  signedPart: Buffer;
  mac: Buffer;
}

/** Structural parse; null when the bytes cannot be a version-1 token. Cheap: no crypto. */
export function readEnvelope(bytes: Buffer): TokenEnvelope | null {
  if (bytes.length < MIN_TOKEN_BYTES || bytes.length > MAX_TOKEN_BYTES) return null;
  if (bytes[0] !== TOKEN_VERSION) return null;
  const keyIdLength = bytes[1] ?? 0;
  if (keyIdLength < 1 || keyIdLength > MAX_KEY_ID_BYTES) return null;
  const keyId = bytes.toString('latin1', 2, 2 + keyIdLength);
  if (!SIGNING_KEY_ID_PATTERN.test(keyId)) return null;
  const kindOffset = 2 + keyIdLength;
  const kindByte = bytes[kindOffset];
  const claimsEnd = bytes.length - MAC_BYTES;
  const fixedEnd = kindOffset + 1 + FIXED_CLAIM_BYTES;
  let kind: TokenEnvelope['kind'];
  if (kindByte === KIND_OPEN) {
    if (claimsEnd !== fixedEnd) return null;
    kind = 'open';
  } else if (kindByte === KIND_CLICK) {
    if (claimsEnd < fixedEnd + LINK_INDEX_BYTES + 1) return null;
    kind = 'click';
  } else {
    return null;
  }
  return { keyId, kind, signedPart: bytes.subarray(0, claimsEnd), mac: bytes.subarray(claimsEnd) };
}

/** Claims from an envelope whose MAC has been checked; null when the URL is not valid UTF-8. */
export function decodeClaims(envelope: TokenEnvelope): TrackingClaims | null {
  const part = envelope.signedPart;
  let offset = 2 + envelope.keyId.length + 1;
  const orgId = uuidAt(part, offset);
  offset += UUID_BYTES;
  const sentEmailId = uuidAt(part, offset);
  offset += UUID_BYTES;
  const issuedAt = new Date(part.readUInt32BE(offset) * 1000);
  offset += 4;
  if (envelope.kind === 'open') return { kind: 'open', orgId, sentEmailId, issuedAt };
  const linkIndex = part.readUInt16BE(offset);
  offset += LINK_INDEX_BYTES;
  let url: string;
  try {
    url = STRICT_UTF8.decode(part.subarray(offset));
  } catch {
    return null;
  }
  return { kind: 'click', orgId, sentEmailId, linkIndex, url, issuedAt };
}

/** base64url (RFC 4648 §5) digit values by character code; 64 for any other character. */
const BASE64URL_VALUES = new Uint8Array(128).fill(64);
'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'.split('').forEach((c, i) => (BASE64URL_VALUES[c.charCodeAt(0)] = i));

/**
 * Whether `token` is canonical unpadded base64url: only the alphabet's characters, a length that
 * encodes whole bytes, and zero padding bits in the last character (RFC 4648 §3.5), so that one
 * token has one spelling. One pass over the characters, nothing allocated (the verifier's first
 * check on every request, junk included).
 */
export function isCanonicalBase64Url(token: string): boolean {
  const length = token.length;
  if (length % 4 === 1) return false;
  let last = 0;
  for (let i = 0; i < length; i++) {
    const code = token.charCodeAt(i);
    last = code < 128 ? BASE64URL_VALUES[code]! : 64;
    if (last === 64) return false;
  }
  // 2 characters carry 1 byte and 4 spare bits, 3 carry 2 bytes and 2 spare bits.
  const spareBits = length % 4 === 2 ? 0x0f : length % 4 === 3 ? 0x03 : 0;
  return (last & spareBits) === 0;
}

/** Whether the envelope's MAC equals the first MAC_BYTES of `expected`, in time independent of where they differ. */
export function macMatches(envelope: TokenEnvelope, expected: Uint8Array): boolean {
  const mac = envelope.mac;
  if (expected.length < MAC_BYTES || mac.length !== MAC_BYTES) return false;
  let difference = 0;
  for (let i = 0; i < MAC_BYTES; i++) difference |= mac[i]! ^ expected[i]!;
  return difference === 0;
}
