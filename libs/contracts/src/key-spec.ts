/**
 * The format of every key-ring setting (TRACKING_SIGNING_KEYS, CREDENTIALS_ENCRYPTION_KEYS):
 * `kid:base64key[,kid2:base64key…]`. The first key is the one in use; the others are kept so
 * that what they signed or encrypted stays readable while keys rotate.
 */
import { KEY_ID_PATTERN } from './patterns';

export { KEY_ID_PATTERN };

const BASE64_KEY_PATTERN = /^[A-Za-z0-9+/_-]+={0,2}$/;

/** A malformed key-ring setting; the message names the entry and never contains key material. */
export class KeySpecError extends Error {
  constructor(
    message: string,
    /** 1-based entry the problem is in, or null for the setting as a whole. */
    readonly entry: number | null,
  ) {
    super(message);
    this.name = 'KeySpecError';
  }
}

export interface KeySpecEntry {
  keyId: string;
  key: Buffer;
}

/** Parses a key-ring setting, checking ids (1-8 of [a-z0-9], no duplicates), base64 (standard or url-safe) and key sizes. */
export function parseKeySpec(spec: string, options: { label: string; minBytes: number; maxBytes?: number }): KeySpecEntry[] {
  const { label, minBytes, maxBytes } = options;
  if (typeof spec !== 'string' || spec.trim() === '') throw new KeySpecError(`${label}: at least one "kid:base64key" entry is required`, null);
  const seen = new Set<string>();
  return spec.split(',').map((rawEntry, index): KeySpecEntry => {
    const position = index + 1;
    const entry = rawEntry.trim();
    const colon = entry.indexOf(':');
    if (colon < 0) throw new KeySpecError(`${label}: entry ${position}: expected "kid:base64key"`, position);
    const keyId = entry.slice(0, colon).trim();
    const encodedKey = entry.slice(colon + 1).trim();
    if (!KEY_ID_PATTERN.test(keyId)) throw new KeySpecError(`${label}: entry ${position}: key id must be 1-8 characters of [a-z0-9]`, position);
    if (!BASE64_KEY_PATTERN.test(encodedKey) || encodedKey.replace(/=+$/, '').length % 4 === 1) {
      throw new KeySpecError(`${label}: entry ${position} (kid "${keyId}"): key is not valid base64`, position);
    }
    if (seen.has(keyId)) throw new KeySpecError(`${label}: entry ${position} (kid "${keyId}"): duplicate key id`, position);
    seen.add(keyId);
    const key = Buffer.from(encodedKey, 'base64');
    if (key.length < minBytes || (maxBytes !== undefined && key.length > maxBytes)) {
      const wanted = maxBytes === minBytes ? `exactly ${minBytes}` : `at least ${minBytes}`;
      throw new KeySpecError(`${label}: entry ${position} (kid "${keyId}"): key must be ${wanted} bytes, got ${key.length}`, position);
    }
    return { keyId, key };
  });
}
