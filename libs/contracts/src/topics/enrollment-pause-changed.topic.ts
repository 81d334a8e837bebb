import { z } from 'zod';
import { defineTopic } from '../topic-definition';
import { Address, CalendarDate, Instant, Uuid } from '../primitives';

/**
 * Why: a pause by hand, the prospect's out-of-office, or a colleague's reply under the sequence's
 * company rule "pause"; a resume by hand (`manual`) or because the pause ran out (`pause_over`).
 */
export const PauseChangeReason = z.enum(['manual', 'out_of_office', 'company_replied', 'pause_over']);

export const EnrollmentPauseChanged = z.object({
  changeId: Uuid,
  orgId: Uuid,
  enrollmentId: Uuid,
  sequenceId: Uuid,
  mailboxId: Uuid,
  prospect: Address,
  change: z.enum(['paused', 'resumed']),
  reason: PauseChangeReason,
  /** paused: until when (null: until someone resumes it). A running pause made longer is `paused` again with the new end. */
  until: Instant.nullable(),
  /** paused for out_of_office: the date the prospect's auto-reply said they are back, when it said one. */
  returnDate: CalendarDate.nullable(),
  /** paused: the reply that caused it (out_of_office, company_replied); null by hand and on resume. */
  causeId: Uuid.nullable(),
  /** resumed: when the next step is due (null while a step claimed before the pause may still be on its way, and on pause). */
  nextDueAt: Instant.nullable(),
  /**
   * paused: what exactly paused it, when `reason` alone does not say (issue 15, step templates):
   * `template_variable_missing`, a step's template uses `variable`, which the enrollment has no value
   * for, with no fallback; `template_render_failed`, the step could not be rendered (too long, too
   * slow). The step was not sent; `reason` is `manual`: it waits for someone to fix it and resume.
   */
  reasonDetail: z
    .object({
      code: z.enum(['template_variable_missing', 'template_render_failed']),
      stepNumber: z.int().min(1),
      variable: z.string().max(200).nullable(),
      message: z.string().max(500),
    })
    .nullable()
    .optional(),
  occurredAt: Instant,
});
export type EnrollmentPauseChanged = z.infer<typeof EnrollmentPauseChanged>;

export const enrollmentPauseChangedTopic = defineTopic({
  name: 'enrollment.pause-changed.v1',
  eventType: 'enrollment.pause-changed',
  title: 'Enrollment paused or resumed',
  description:
    'An enrollment was paused (by hand, the prospect is out of office, a colleague replied under the company rule) or resumed (by hand, or its pause ran out), written by the sequencer in the same transaction as the change. The app shows it in the feed.',
  schema: EnrollmentPauseChanged,
  keyOf: (p) => p.enrollmentId,
  keyDescription: 'enrollmentId',
  producers: ['sequencer'],
  consumers: ['app'],
});
