/**
 * Salesforce record ids: a 3-character key prefix naming the object, 12 characters
 * unique within the org, and (for the 18-character form) a 3-character suffix that
 * encodes which of the first 15 characters are upper case, so the id survives
 * case-insensitive systems ("ID Field Type", SOAP API Developer Guide).
 */

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const SUFFIX_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ012345';
const ID_15 = /^[a-zA-Z0-9]{15}$/;
const ID_18 = /^[a-zA-Z0-9]{18}$/;

/** Characters 4–5 of a real id name the pod; the sandbox uses a fixed, obviously local one. */
const SANDBOX_POD = 'TT';

/** The case-safe suffix of a 15-character id. */
export function idChecksum(id15: string): string {
  let suffix = '';
  for (let chunk = 0; chunk < 3; chunk += 1) {
    let bits = 0;
    for (let i = 0; i < 5; i += 1) {
      const ch = id15.charAt(chunk * 5 + i);
      if (ch >= 'A' && ch <= 'Z') bits |= 1 << i;
    }
    suffix += SUFFIX_ALPHABET.charAt(bits);
  }
  return suffix;
}

/** Builds the 18-character id of the `sequence`-th record created in the sandbox. */
export function buildRecordId(keyPrefix: string, sequence: number): string {
  if (!/^[a-zA-Z0-9]{3}$/.test(keyPrefix)) throw new Error(`bad key prefix ${keyPrefix}`);
  if (!Number.isSafeInteger(sequence) || sequence < 0) throw new Error(`bad sequence ${sequence}`);
  let digits = '';
  let rest = sequence;
  do {
    digits = BASE62.charAt(rest % 62) + digits;
    rest = Math.floor(rest / 62);
  } while (rest > 0);
  const id15 = `${keyPrefix}${SANDBOX_POD}0${digits.padStart(9, '0')}`;
  return id15 + idChecksum(id15);
}

/**
 * The canonical 18-character form of an id given in either form, or null when the
 * text is not a well-formed id. Salesforce accepts both forms everywhere an id goes.
 */
export function toCanonicalId(raw: string): string | null {
  if (ID_15.test(raw)) return raw + idChecksum(raw);
  if (ID_18.test(raw)) {
    const id15 = raw.slice(0, 15);
    const suffix = idChecksum(id15);
    return raw.slice(15).toUpperCase() === suffix ? id15 + suffix : null;
  }
  return null;
}

export function keyPrefixOf(id: string): string {
  return id.slice(0, 3);
}
