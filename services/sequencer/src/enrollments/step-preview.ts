import { NotFoundException } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { z } from 'zod';
import { renderStep, type RenderOutcome } from '../sequences/step-template';
import type { Recipient } from './enrollment.entity';
import { templateVariables } from './enrollment-variables';
import { variantContent, variantIndex, variantLetter, type StepVariant } from '../sequences/step-variants';

/** `GET /v1/enrollments/:id/preview?step=N`: the step number (1 to 50, the most a sequence has); absent, the enrollment's next step. */
export const PreviewStepQuery = z.object({ step: z.coerce.number().int().min(1).max(50).optional() }).strict();

export type StepPreview = {
  enrollmentId: string;
  stepNumber: number;
  /** The A/B variant this enrollment gets (A: the step itself). */
  variant: string;
  /** The variables the step is rendered with (derived first/last name included). */
  variables: Record<string, string>;
} & (
  | { ok: true; subject: string | null; inThread: boolean; html: string | null; text: string | null }
  | { ok: false; problem: 'missing_variable' | 'render_failed'; field: string; variable: string | null; message: string }
);

/**
 * The step as this enrollment's prospect would get it now, rendered exactly as the dispatcher does
 * (step-template.ts); a step that could not be sent says why instead (200 either way). A follow-up
 * in the thread has `subject` null (it goes as "Re: " the first email's subject).
 */
export async function previewStep(ds: DataSource, orgId: string, enrollmentId: string, stepNumber: number): Promise<StepPreview> {
  const [row] = (await ds.query(
    `SELECT e.prospect, e.variables, st.subject, st.html, st.text, st.variants
     FROM sequencer.enrollment e LEFT JOIN sequencer.sequence_step st ON st.sequence_id = e.sequence_id AND st.step_number = $3
     WHERE e.id = $1 AND e.org_id = $2`,
    [enrollmentId, orgId, stepNumber],
  )) as { prospect: Recipient; variables: Record<string, string> | null; subject: string | null; html: string | null; text: string | null; variants: StepVariant[] | null }[];
  if (!row) throw new NotFoundException({ error: 'enrollment_not_found' });
  if (row.html === null && row.text === null) throw new NotFoundException({ error: 'step_not_found', message: `the sequence has no step ${stepNumber}` });
  const variables = templateVariables(row.prospect, row.variables);
  const variants = row.variants ?? [];
  const index = variantIndex(enrollmentId, variants.length + 1);
  const outcome: RenderOutcome = renderStep(variantContent(row, variants, index), variables);
  const base = { enrollmentId, stepNumber, variant: variantLetter(index), variables: { ...variables } };
  if (!outcome.ok) return { ...base, ok: false, problem: outcome.problem, field: outcome.field, variable: outcome.variable, message: outcome.message };
  return { ...base, ok: true, subject: outcome.content.subject, inThread: row.subject === null && stepNumber > 1, html: outcome.content.html, text: outcome.content.text };
}
