import { Column, Entity, PrimaryColumn } from 'typeorm';

export type DispatchStatus = 'requested' | 'claimed' | 'sent' | 'failed' | 'cancelled';

/** One hand-over of a step to the sender (its id is the sendRequestId). */
@Entity({ name: 'step_dispatch' })
export class StepDispatch {
  @PrimaryColumn('uuid') id!: string;
  @Column('uuid', { name: 'org_id' }) orgId!: string;
  @Column('uuid', { name: 'enrollment_id' }) enrollmentId!: string;
  @Column('int', { name: 'step_number' }) stepNumber!: number;
  @Column('text') status!: DispatchStatus;
  @Column('timestamptz', { name: 'requested_at' }) requestedAt!: Date;
  @Column('timestamptz', { name: 'claimed_at', nullable: true }) claimedAt!: Date | null;
  @Column('timestamptz', { name: 'sent_at', nullable: true }) sentAt!: Date | null;
  @Column('uuid', { name: 'sent_email_id', nullable: true }) sentEmailId!: string | null;
  @Column('text', { name: 'message_id', nullable: true }) messageId!: string | null;
  @Column('text', { name: 'failure', nullable: true }) failure!: string | null;
}
