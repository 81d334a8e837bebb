import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

@Entity({ name: 'organization' })
export class Organization {
  @PrimaryColumn('uuid') id!: string;
  @Column('text') name!: string;
  /** Verified email domains whose people may join on first sign-in (as reps); empty: invitation only. */
  @Column('text', { name: 'sign_up_domains', array: true, default: () => "'{}'" }) signUpDomains!: string[];
  /** free, team or business; null: the deployment's default (APP_DEFAULT_PLAN). */
  @Column('text', { nullable: true }) plan!: 'free' | 'team' | 'business' | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
}

/** The organisation's OpenID Connect provider (Google Workspace, Entra ID, Okta, Salesforce…). */
@Entity({ name: 'identity_provider' })
export class IdentityProvider {
  @PrimaryColumn('uuid', { name: 'org_id' }) orgId!: string;
  @Column('text') issuer!: string;
  @Column('text', { name: 'client_id' }) clientId!: string;
  /** The client secret, encrypted (APP_ENCRYPTION_KEYS); null for a public client (PKCE only). */
  @Column('text', { name: 'secret_key_id', nullable: true }) secretKeyId!: string | null;
  @Column('text', { name: 'secret_ciphertext', nullable: true }) secretCiphertext!: string | null;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt!: Date;
}
