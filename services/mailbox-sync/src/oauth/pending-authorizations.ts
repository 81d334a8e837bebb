import { randomBytes } from 'node:crypto';
import { BadRequestException, Inject, Injectable } from '@nestjs/common';
import { CLOCK, type Clock } from '@telltale/db';
import { CredentialCipher, ServiceRuntime } from '@telltale/runtime';

/** An authorization left unfinished this long is void (the user abandoned the consent screen). */
const AUTHORIZATION_TTL_MS = 10 * 60_000;

export type OAuthProviderName = 'gmail' | 'graph';

/**
 * Authorizations between "start connecting" and the provider's callback: the `state` sent to the
 * consent screen and the PKCE verifier, encrypted (bound to the state). Each is usable once and
 * only before it expires; abandoned ones are purged whenever a new one starts.
 */
@Injectable()
export class PendingAuthorizations {
  constructor(
    private readonly runtime: ServiceRuntime,
    private readonly cipher: CredentialCipher,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** A fresh, unguessable state for the consent URL. */
  newState(): string {
    return randomBytes(24).toString('base64url');
  }

  async save(state: string, orgId: string, startedBy: string, provider: OAuthProviderName, codeVerifier: string): Promise<{ expiresAt: string }> {
    const now = this.clock.now();
    await this.runtime.dataSource.query(`DELETE FROM mailbox_sync.oauth_authorization WHERE expires_at < $1`, [now]);
    const sealed = this.cipher.encrypt(codeVerifier, state);
    const expiresAt = new Date(now.getTime() + AUTHORIZATION_TTL_MS);
    await this.runtime.dataSource.query(
      `INSERT INTO mailbox_sync.oauth_authorization (state, org_id, started_by, provider, secret_key_id, verifier_ciphertext, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [state, orgId, startedBy, provider, sealed.keyId, sealed.ciphertext, now, expiresAt],
    );
    return { expiresAt: expiresAt.toISOString() };
  }

  /**
   * The callback came back: the authorization's org and verifier, consumed (a replayed callback
   * finds nothing). Only the person who started it can complete it (the state is bound to them):
   * someone else's callback with a stolen or planted state finds nothing and consumes nothing.
   */
  async take(state: string, provider: OAuthProviderName, orgId: string, startedBy: string): Promise<{ orgId: string; codeVerifier: string }> {
    const [pending] = (await this.runtime.dataSource.query(
      `WITH used AS (DELETE FROM mailbox_sync.oauth_authorization WHERE state = $1 AND provider = $2 AND org_id = $3 AND started_by = $4 RETURNING org_id, secret_key_id, verifier_ciphertext, expires_at) SELECT * FROM used`,
      [state, provider, orgId, startedBy],
    )) as { org_id: string; secret_key_id: string; verifier_ciphertext: string; expires_at: Date }[];
    if (!pending) throw new BadRequestException({ error: 'unknown_authorization', message: 'This authorization is unknown or was already used; start connecting again.' });
    if (new Date(pending.expires_at) < this.clock.now()) throw new BadRequestException({ error: 'authorization_expired', message: 'The authorization took too long; start connecting again.' });
    return { orgId: pending.org_id, codeVerifier: this.cipher.decrypt(pending.secret_key_id, pending.verifier_ciphertext, state) };
  }
}
