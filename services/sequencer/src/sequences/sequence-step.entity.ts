import { Column, Entity, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { Sequence } from './sequence.entity';
import type { StepVariant } from './step-variants';

@Entity({ name: 'sequence_step' })
export class SequenceStep {
  @PrimaryColumn('uuid', { name: 'sequence_id' }) sequenceId!: string;
  /** 1-based. */
  @PrimaryColumn('int', { name: 'step_number' }) stepNumber!: number;
  /** Wait after the previous step was sent (for step 1: after enrollment). */
  @Column('bigint', { name: 'delay_seconds', transformer: { to: (v: number) => v, from: (v: string) => Number(v) } }) delaySeconds!: number;
  /** Null: a follow-up in the same thread ("Re: " + the first subject). */
  @Column('text', { nullable: true }) subject!: string | null;
  @Column('text', { nullable: true }) html!: string | null;
  @Column('text', { nullable: true }) text!: string | null;
  /** A/B variants beside the step itself (step-variants.ts). */
  @Column('jsonb', { default: () => `'[]'` }) variants!: StepVariant[];
  @ManyToOne(() => Sequence, (s) => s.steps, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'sequence_id' })
  sequence!: Sequence;
}
