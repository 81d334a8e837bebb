import { timingSafeEqual } from 'node:crypto';
import { Uuid } from '@telltale/contracts';
import type { SigningKeyRing } from '@telltale/tracking';
import { z } from 'zod';

/** Registration tokens are short-lived: they travel in a URL the app opens right away. */
export const DEVICE_REGISTRATION_TTL_SECONDS = 300;

// Domain separation: a registration MAC can never be taken for a tracking-token MAC.
const PURPOSE = 'telltale-device-registration.v1\n';
const Payload = z.object({ k: z.string().min(1).max(8), o: Uuid, u: Uuid, e: z.int().positive() });

export interface DeviceRegistrationClaims {
  orgId: string;
  userId: string;
  expiresAt: Date;
}

export type DeviceRegistrationVerification = { ok: true; claims: DeviceRegistrationClaims } | { ok: false; reason: 'malformed' | 'unknown_key' | 'bad_signature' | 'expired' };

/** `<payload>.<mac>`, both base64url: HMAC-SHA-256 with the tracking key ring's signing key. */
export function signDeviceRegistrationToken(claims: { orgId: string; userId: string }, keys: SigningKeyRing, now: Date, ttlSeconds = DEVICE_REGISTRATION_TTL_SECONDS): { token: string; expiresAt: Date } {
  const expiresAt = new Date((Math.floor(now.getTime() / 1000) + ttlSeconds) * 1000);
  const payload = Buffer.from(JSON.stringify({ k: keys.signingKeyId, o: claims.orgId.toLowerCase(), u: claims.userId.toLowerCase(), e: expiresAt.getTime() / 1000 })).toString('base64url');
  const mac = keys.hmacSha256(keys.signingKeyId, Buffer.from(PURPOSE + payload));
  if (mac === null) throw new Error('signing key missing from its own ring');
  return { token: `${payload}.${mac.toString('base64url')}`, expiresAt };
}

export function verifyDeviceRegistrationToken(token: string, keys: SigningKeyRing, now: Date): DeviceRegistrationVerification {
  if (typeof token !== 'string' || token.length > 512 || !/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(token)) return { ok: false, reason: 'malformed' };
  const [payloadPart = '', macPart = ''] = token.split('.');
  let raw: unknown;
  try {
    raw = JSON.parse(Buffer.from(payloadPart, 'base64url').toString('utf8'));
  } catch {
    return { ok: false, reason: 'malformed' };
  }
  const payload = Payload.safeParse(raw);
  if (!payload.success) return { ok: false, reason: 'malformed' };
  const expected = keys.hmacSha256(payload.data.k, Buffer.from(PURPOSE + payloadPart));
  if (expected === null) return { ok: false, reason: 'unknown_key' };
  const presented = Buffer.from(macPart, 'base64url');
  if (presented.length !== expected.length || !timingSafeEqual(presented, expected)) return { ok: false, reason: 'bad_signature' };
  if (now.getTime() >= payload.data.e * 1000) return { ok: false, reason: 'expired' };
  return { ok: true, claims: { orgId: payload.data.o, userId: payload.data.u, expiresAt: new Date(payload.data.e * 1000) } };
}
