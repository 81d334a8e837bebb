import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { parseKeySpec } from '@telltale/contracts';

/**
 * AES-256-GCM encryption of secrets at rest — mailbox credentials, identity-provider client secrets
 * (docs/architecture.md: key from a secret, key id stored beside the ciphertext). Keys come as `kid:base64key[,kid2:base64key…]`; the first encrypts, all
 * decrypt, so keys rotate without re-encrypting every row at once.
 */
export class CredentialCipher {
  private readonly keys = new Map<string, Buffer>();
  private readonly activeKeyId: string;

  /** `label`: the setting the keys come from, named in errors (never a key). */
  constructor(spec: string, label = 'CREDENTIALS_ENCRYPTION_KEYS') {
    // AES-256: keys of exactly 32 bytes.
    const entries = parseKeySpec(spec, { label, minBytes: 32, maxBytes: 32 });
    for (const { keyId, key } of entries) this.keys.set(keyId, key);
    this.activeKeyId = entries[0]!.keyId;
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
