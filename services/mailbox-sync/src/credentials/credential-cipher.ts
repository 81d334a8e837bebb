import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

const KEY_ID = /^[a-z0-9]{1,8}$/;

/**
 * AES-256-GCM encryption of mailbox secrets at rest (DESIGN.md: key from a secret, key id stored
 * beside the ciphertext). Keys come as `kid:base64key[,kid2:base64key…]`; the first encrypts, all
 * decrypt, so keys rotate without re-encrypting every row at once.
 */
export class CredentialCipher {
  private readonly keys = new Map<string, Buffer>();
  private readonly activeKeyId: string;

  constructor(spec: string) {
    const entries = spec.split(',').map((s) => s.trim()).filter(Boolean);
    if (entries.length === 0) throw new Error('CREDENTIALS_ENCRYPTION_KEYS is empty');
    for (const [i, entry] of entries.entries()) {
      const sep = entry.indexOf(':');
      const kid = entry.slice(0, sep);
      if (sep < 1 || !KEY_ID.test(kid)) throw new Error(`CREDENTIALS_ENCRYPTION_KEYS entry ${i + 1}: key id must match ${KEY_ID}`);
      const key = Buffer.from(entry.slice(sep + 1), 'base64');
      if (key.length !== 32) throw new Error(`CREDENTIALS_ENCRYPTION_KEYS entry ${i + 1} (${kid}): key must be 32 bytes, base64`);
      if (this.keys.has(kid)) throw new Error(`CREDENTIALS_ENCRYPTION_KEYS: duplicate key id ${kid}`);
      this.keys.set(kid, key);
    }
    this.activeKeyId = entries[0]!.slice(0, entries[0]!.indexOf(':'));
  }

  encrypt(plaintext: string, associatedData: string): { keyId: string; ciphertext: string } {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.keys.get(this.activeKeyId)!, iv);
    // Binding the row id as AAD stops a ciphertext being copied onto another mailbox's row.
    cipher.setAAD(Buffer.from(associatedData));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return { keyId: this.activeKeyId, ciphertext: Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64') };
  }

  decrypt(keyId: string, ciphertext: string, associatedData: string): string {
    const key = this.keys.get(keyId);
    if (!key) throw new Error(`no credentials key with id ${keyId}`);
    const raw = Buffer.from(ciphertext, 'base64');
    const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12));
    decipher.setAAD(Buffer.from(associatedData));
    decipher.setAuthTag(raw.subarray(12, 28));
    return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
  }
}
