import { checkRedirectUrl } from './redirect-url-policy';
import type { SigningKeyRing } from './signing-key-ring';
import type { ClickClaims, OpenClaims } from './tracking-claims';
import {
  decodeClaims,
  encodeSignedPart,
  isCanonicalBase64Url,
  MAC_BYTES,
  macMatches,
  MAX_TOKEN_CHARS,
  MIN_TOKEN_CHARS,
  readEnvelope,
} from './tracking-token-codec';

export const DEFAULT_TOKEN_MAX_AGE_DAYS = 730;

const DAY_MS = 86_400_000;

export type TrackingTokenRejection = 'malformed' | 'unknown_key' | 'bad_signature' | 'expired' | 'unsafe_url';

export type TrackingTokenVerification =
  | { ok: true; claims: OpenClaims | ClickClaims }
  | { ok: false; reason: TrackingTokenRejection };

export interface VerifyTrackingTokenOptions {
  /** Clock for the expiry check; defaults to the current time. */
  now?: Date;
  /** Tokens older than this are `expired`; default 730 days. */
  maxAgeDays?: number;
}

function assertNever(value: never): never {
  throw new TypeError(`unexpected tracking claims kind: ${String(value)}`);
}

/**
 * Signs claims with the ring's signing key. Throws (TypeError/RangeError) on claims that could
 * never verify: ids that are not UUIDs, an issuedAt outside uint32 seconds, a linkIndex outside
 * uint16, or a click URL the redirect policy refuses. Messages never echo the URL or ids.
 */
export function signTrackingToken(claims: OpenClaims | ClickClaims, keys: SigningKeyRing): string {
  switch (claims.kind) {
    case 'open':
      break;
    case 'click': {
      const check = checkRedirectUrl(claims.url);
      if (!check.ok) throw new TypeError(`click url refused by the redirect policy: ${check.reason}`);
      break;
    }
    default:
      return assertNever(claims);
  }
  const keyId = keys.signingKeyId;
  const signedPart = encodeSignedPart(keyId, claims);
  const mac = keys.hmacSha256(keyId, signedPart);
  if (mac === null) throw new Error('signing key missing from its own ring');
  return Buffer.concat([signedPart, mac.subarray(0, MAC_BYTES)]).toString('base64url');
}

const malformed: TrackingTokenVerification = { ok: false, reason: 'malformed' };

/**
 * Verifies a token from a tracking URL without any I/O. Cheap checks (length, alphabet, canonical
 * base64url, layout, known kid) run before the HMAC, so junk and scanners cost next to nothing.
 */
export function verifyTrackingToken(
  token: string,
  keys: SigningKeyRing,
  options?: VerifyTrackingTokenOptions,
): TrackingTokenVerification {
  const maxAgeDays = options?.maxAgeDays ?? DEFAULT_TOKEN_MAX_AGE_DAYS;
  if (!(maxAgeDays > 0) || !Number.isFinite(maxAgeDays)) throw new RangeError('maxAgeDays must be a positive number');
  const now = options?.now;
  const nowMs = now != null ? now.getTime() : Date.now();
  if (!Number.isFinite(nowMs)) throw new RangeError('now must be a valid date');

  if (typeof token !== 'string' || token.length < MIN_TOKEN_CHARS || token.length > MAX_TOKEN_CHARS) return malformed;
  // One token, one spelling: non-zero padding bits in the last character would otherwise give
  // several strings for the same bytes (RFC 4648 §3.5).
  if (!isCanonicalBase64Url(token)) return malformed;
  const bytes = Buffer.from(token, 'base64url');

  const envelope = readEnvelope(bytes);
  if (envelope === null) return malformed;
  if (!keys.hasKey(envelope.keyId)) return { ok: false, reason: 'unknown_key' };
  const expected = keys.hmacSha256(envelope.keyId, envelope.signedPart);
  if (expected === null) return { ok: false, reason: 'unknown_key' };
  if (!macMatches(envelope, expected)) return { ok: false, reason: 'bad_signature' };

  const claims = decodeClaims(envelope);
  if (claims === null) return malformed;
  if (nowMs - claims.issuedAt.getTime() > maxAgeDays * DAY_MS) return { ok: false, reason: 'expired' };
  if (claims.kind === 'click' && !checkRedirectUrl(claims.url).ok) return { ok: false, reason: 'unsafe_url' };
  return { ok: true, claims };
}
