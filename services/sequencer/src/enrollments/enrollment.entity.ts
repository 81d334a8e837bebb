import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn, VersionColumn } from 'typeorm';
import type { EnrollmentState } from './enrollment-state';

export interface Recipient {
  address: string;
  name: string | null;
}

@Entity({ name: 'enrollment' })
export class Enrollment {
  @PrimaryColumn('uuid') id!: string;
  @Column('uuid', { name: 'org_id' }) orgId!: string;
  /** The person who enrolled the prospect (null: an API key, or before owners were recorded). */
  @Column('uuid', { name: 'owner_user_id', nullable: true }) ownerUserId!: string | null;
  @Column('uuid', { name: 'sequence_id' }) sequenceId!: string;
  @Column('uuid', { name: 'mailbox_id' }) mailboxId!: string;
  @Column('jsonb', { name: 'sender' }) sender!: Recipient;
  @Column('jsonb') prospect!: Recipient;
  @Column('jsonb') cc!: Recipient[];
  /** The step templates' variables (enrollment-variables.ts). */
  @Column('jsonb') variables!: Record<string, string>;
  /** The prospect's IANA time zone, when known: the send window is read in it. */
  @Column('text', { name: 'time_zone', nullable: true }) timeZone!: string | null;
  @Column('text') state!: EnrollmentState;
  /** The next step to hand to the sender. */
  @Column('int', { name: 'next_step_number' }) nextStepNumber!: number;
  /** Null while a step is with the sender, or when the enrollment ended. */
  @Column('timestamptz', { name: 'next_due_at', nullable: true }) nextDueAt!: Date | null;
  /** Set while paused (out-of-office or the company rule): when the enrollment resumes. */
  @Column('timestamptz', { name: 'paused_until', nullable: true }) pausedUntil!: Date | null;
  @Column('text', { name: 'stop_reason', nullable: true }) stopReason!: string | null;
  @Column('uuid', { name: 'stop_cause_id', nullable: true }) stopCauseId!: string | null;
  @Column('timestamptz', { name: 'ended_at', nullable: true }) endedAt!: Date | null;
  @Column('text', { name: 'thread_message_id', nullable: true }) threadMessageId!: string | null;
  @Column('text', { name: 'thread_subject', nullable: true }) threadSubject!: string | null;
  @VersionColumn() version!: number;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' }) updatedAt!: Date;
}
