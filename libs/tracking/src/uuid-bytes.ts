import { UUID_PATTERN } from '@telltale/contracts/dist/src/patterns';

/** Token bytes carry no case: either spelling of a UUID encodes to the same 16 bytes. */
const ANY_CASE_UUID = new RegExp(UUID_PATTERN.source, 'i');

export const UUID_BYTES = 16;

export function isUuid(value: unknown): value is string {
  return typeof value === 'string' && ANY_CASE_UUID.test(value);
}

/** RFC 9562 §4: the 36-character hex-and-hyphens form, any case, to its 16 bytes. */
export function uuidToBytes(uuid: string): Buffer {
  if (!isUuid(uuid)) throw new TypeError('expected a UUID in 8-4-4-4-12 hex form');
  return Buffer.from(uuid.replace(/-/g, ''), 'hex');
}

/** 16 bytes to the canonical lower-case UUID string. */
export function bytesToUuid(bytes: Uint8Array): string {
  if (bytes.length !== UUID_BYTES) throw new RangeError(`expected ${UUID_BYTES} bytes, got ${bytes.length}`);
  const hex = Buffer.from(bytes).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
