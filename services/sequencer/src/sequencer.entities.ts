import { Enrollment } from './enrollments/enrollment.entity';
import { StepDispatch } from './enrollments/step-dispatch.entity';
import { SequencerInitial1764230500000 } from './migrations/1764230500000-sequencer-initial';
import { SequencerPauseAndCompanyRule1764834000000 } from './migrations/1764834000000-sequencer-pause-and-company-rule';
import { SequencerOwners1765300000100 } from './migrations/1765300000100-sequencer-owners';
import { SequencerListIndexes1765700000000 } from './migrations/1765700000000-sequencer-list-indexes';
import { SequencerMailboxes1765800000000 } from './migrations/1765800000000-sequencer-mailboxes';
import { SequencerSuppression1766200000000 } from './migrations/1766200000000-sequencer-suppression';
import { SequencerTemplates1766300000000 } from './migrations/1766300000000-sequencer-templates';
import { SequencerSendWindows1766300000100 } from './migrations/1766300000100-sequencer-send-windows';
import { SequencerMailboxCaps1766300000200 } from './migrations/1766300000200-sequencer-mailbox-caps';
import { SequencerVariants1766300000300 } from './migrations/1766300000300-sequencer-variants';
import { SequenceStep } from './sequences/sequence-step.entity';
import { Sequence } from './sequences/sequence.entity';

export const SEQUENCER_SCHEMA = 'sequencer';
export const sequencerEntities = [Sequence, SequenceStep, Enrollment, StepDispatch];
export const sequencerMigrations = [SequencerInitial1764230500000, SequencerPauseAndCompanyRule1764834000000, SequencerOwners1765300000100, SequencerListIndexes1765700000000, SequencerMailboxes1765800000000, SequencerSuppression1766200000000, SequencerTemplates1766300000000, SequencerSendWindows1766300000100, SequencerMailboxCaps1766300000200, SequencerVariants1766300000300];
