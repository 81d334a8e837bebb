import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A browser session: the cookie holds a random secret, the row its SHA-256. */
@Entity({ name: 'session' })
export class Session {
  @PrimaryColumn('uuid') id!: string;
  @Column('text', { name: 'token_hash' }) tokenHash!: string;
  @Column('uuid', { name: 'user_id' }) userId!: string;
  @Column('uuid', { name: 'org_id' }) orgId!: string;
  /** Sent back by the browser app in `x-csrf-token` on every state-changing request. */
  @Column('text', { name: 'csrf_token' }) csrfToken!: string;
  @Column('text', { name: 'user_agent', nullable: true }) userAgent!: string | null;
  @Column('timestamptz', { name: 'created_at' }) createdAt!: Date;
  @Column('timestamptz', { name: 'last_seen_at' }) lastSeenAt!: Date;
  /** Absolute expiry, whatever the activity. */
  @Column('timestamptz', { name: 'expires_at' }) expiresAt!: Date;
  @Column('timestamptz', { name: 'revoked_at', nullable: true }) revokedAt!: Date | null;
}

/** Between the redirect to the identity provider and its callback; used once. */
@Entity({ name: 'sign_in_attempt' })
export class SignInAttempt {
  @PrimaryColumn('text') state!: string;
  @Column('uuid', { name: 'org_id' }) orgId!: string;
  @Column('text') nonce!: string;
  @Column('text', { name: 'code_verifier' }) codeVerifier!: string;
  @Column('text', { name: 'return_to' }) returnTo!: string;
  @Column('timestamptz', { name: 'expires_at' }) expiresAt!: Date;
}
