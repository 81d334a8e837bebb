import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { Role } from '@telltale/runtime';

@Entity({ name: 'api_key' })
export class ApiKey {
  @PrimaryColumn('uuid') id!: string;
  @Column('uuid', { name: 'org_id' }) orgId!: string;
  @Column('text') name!: string;
  /** SHA-256 of the secret part (256 random bits: no slow hash needed). */
  @Column('text', { name: 'secret_hash' }) secretHash!: string;
  @Column('text', { array: true }) scopes!: string[];
  /** The role the key acts with in the services (never more than its creator's). */
  @Column('text') role!: Role;
  @Column('uuid', { name: 'created_by', nullable: true }) createdBy!: string | null;
  @Column('timestamptz', { name: 'created_at' }) createdAt!: Date;
  @Column('timestamptz', { name: 'last_used_at', nullable: true }) lastUsedAt!: Date | null;
  @Column('timestamptz', { name: 'revoked_at', nullable: true }) revokedAt!: Date | null;
}
