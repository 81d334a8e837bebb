import { Column, CreateDateColumn, Entity, OneToMany, PrimaryColumn } from 'typeorm';
import type { ColleagueReplyRule } from './colleague-reply-rule';
import type { SendWindow } from '../scheduling/send-window';
import { SequenceStep } from './sequence-step.entity';

@Entity({ name: 'sequence' })
export class Sequence {
  @PrimaryColumn('uuid') id!: string;
  @Column('uuid', { name: 'org_id' }) orgId!: string;
  /** The person who made it (null: made by an API key or before owners were recorded). */
  @Column('uuid', { name: 'owner_user_id', nullable: true }) ownerUserId!: string | null;
  @Column('text') name!: string;
  @Column('boolean', { name: 'track_opens' }) trackOpens!: boolean;
  @Column('boolean', { name: 'track_clicks' }) trackClicks!: boolean;
  /** What a reply from someone else at the prospect's company does to this sequence's other enrollments there. */
  @Column('text', { name: 'on_colleague_reply', default: 'none' }) onColleagueReply!: ColleagueReplyRule;
  /** When steps may leave (null: any time). */
  @Column('jsonb', { name: 'send_window', nullable: true }) sendWindow!: SendWindow | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  @OneToMany(() => SequenceStep, (step) => step.sequence, { cascade: true, eager: true }) steps!: SequenceStep[];
}
