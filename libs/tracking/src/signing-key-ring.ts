import { createHmac, createSecretKey, randomBytes as nodeRandomBytes, type KeyObject } from 'node:crypto';
import { inspect } from 'node:util';
// The module alone, not the package index: the pixel processes load this and no topic schemas.
import { KEY_ID_PATTERN, KeySpecError, parseKeySpec } from '@telltale/contracts/dist/src/key-spec';

/** Key ids travel in the clear inside every token, so they stay short and boring. */
export const SIGNING_KEY_ID_PATTERN = KEY_ID_PATTERN;

/** HMAC-SHA256 keys shorter than the hash output weaken the MAC (RFC 2104 §3). */
export const MIN_SIGNING_KEY_BYTES = 32;


export interface SigningKey {
  readonly keyId: string;
  readonly key: Uint8Array;
}

/**
 * Raised for a bad key spec. The message names the entry (1-based position and, when valid,
 * its key id) and never contains key material, so it is safe to print at start-up.
 */
export class SigningKeySpecError extends KeySpecError {
  constructor(message: string, entry: number | null) {
    super(message, entry);
    this.name = 'SigningKeySpecError';
  }
}

/**
 * The tracking signing keys. The first key signs new tokens; every key verifies, so a new key
 * can be put first while tokens in emails sent months ago keep verifying under their old kid.
 * Key bytes never leave this object: callers ask it for a MAC instead, and it prints (logs,
 * `console.log`, `JSON.stringify`) as key ids only.
 */
export class SigningKeyRing {
  // KeyObjects, not Buffers: createHmac with a raw Buffer re-imports the key on every call, which
  // made verification about ten times slower on the hot pixel path.
  readonly #keys: ReadonlyMap<string, KeyObject>;
  readonly signingKeyId: string;

  constructor(keys: readonly SigningKey[]) {
    const first = keys[0];
    if (first === undefined) {
      throw new SigningKeySpecError('tracking signing keys: at least one "kid:base64key" entry is required', null);
    }
    const byId = new Map<string, KeyObject>();
    keys.forEach((entry, index) => {
      const position = index + 1;
      if (!SIGNING_KEY_ID_PATTERN.test(entry.keyId)) {
        throw new SigningKeySpecError(
          `tracking signing keys: entry ${position}: key id must be 1-8 characters of [a-z0-9]`,
          position,
        );
      }
      if (byId.has(entry.keyId)) {
        throw new SigningKeySpecError(
          `tracking signing keys: entry ${position} (kid "${entry.keyId}"): duplicate key id`,
          position,
        );
      }
      if (entry.key.length < MIN_SIGNING_KEY_BYTES) {
        throw new SigningKeySpecError(
          `tracking signing keys: entry ${position} (kid "${entry.keyId}"): key must be at least ` +
            `${MIN_SIGNING_KEY_BYTES} bytes, got ${entry.key.length}`,
          position,
        );
      }
      byId.set(entry.keyId, createSecretKey(Buffer.from(entry.key)));
    });
    this.#keys = byId;
    this.signingKeyId = first.keyId;
  }

  get keyIds(): readonly string[] {
    return [...this.#keys.keys()];
  }

  hasKey(keyId: string): boolean {
    return this.#keys.has(keyId);
  }

  /** Full 32-byte HMAC-SHA256 of `data` under key `keyId`, or null when the kid is unknown. */
  hmacSha256(keyId: string, data: Uint8Array): Buffer | null {
    const key = this.#keys.get(keyId);
    if (key === undefined) return null;
    return createHmac('sha256', key).update(data).digest();
  }

  toJSON(): { signingKeyId: string; keyIds: readonly string[] } {
    return { signingKeyId: this.signingKeyId, keyIds: this.keyIds };
  }

  [inspect.custom](): string {
    return `SigningKeyRing { signingKeyId: '${this.signingKeyId}', keyIds: [${this.keyIds.map((id) => `'${id}'`).join(', ')}] }`;
  }
}

/**
 * Parses `kid:base64key,kid2:base64key` (standard or URL-safe base64). The first entry signs.
 * Whitespace around entries is ignored; empty entries are errors so a stray comma is noticed.
 */
export function parseSigningKeys(spec: string): SigningKeyRing {
  try {
    return new SigningKeyRing(parseKeySpec(spec, { label: 'tracking signing keys', minBytes: MIN_SIGNING_KEY_BYTES }));
  } catch (error) {
    if (error instanceof KeySpecError && !(error instanceof SigningKeySpecError)) throw new SigningKeySpecError(error.message, error.entry);
    throw error;
  }
}

/** A fresh single-key spec (`kid:<32 random bytes, base64>`) for local defaults and tests. */
export function generateSigningKeySpec(
  keyId: string,
  randomBytes: (size: number) => Uint8Array = nodeRandomBytes,
): string {
  if (!SIGNING_KEY_ID_PATTERN.test(keyId)) {
    throw new SigningKeySpecError('tracking signing keys: key id must be 1-8 characters of [a-z0-9]', null);
  }
  return `${keyId}:${Buffer.from(randomBytes(MIN_SIGNING_KEY_BYTES)).toString('base64')}`;
}
