import { Column, CreateDateColumn, Entity, OneToMany, PrimaryColumn } from 'typeorm';
import { SequenceStep } from './sequence-step.entity';

@Entity({ name: 'sequence' })
export class Sequence {
  @PrimaryColumn('uuid') id!: string;
  @Column('uuid', { name: 'org_id' }) orgId!: string;
  @Column('text') name!: string;
  @Column('boolean', { name: 'track_opens' }) trackOpens!: boolean;
  @Column('boolean', { name: 'track_clicks' }) trackClicks!: boolean;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
  @OneToMany(() => SequenceStep, (step) => step.sequence, { cascade: true, eager: true }) steps!: SequenceStep[];
}
