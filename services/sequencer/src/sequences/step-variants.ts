import { createHash } from 'node:crypto';
import { NotFoundException } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { z } from 'zod';
import type { StepContent } from './step-template';

/** Variants beside the step itself (A): B, C and D at the most. */
export const MAX_VARIANTS = 3;

/** One A/B variant of a step: what it changes (a field left out is the step's own). */
export interface StepVariant {
  subject?: string | null;
  html?: string | null;
  text?: string | null;
}

export const variantLetter = (index: number): string => String.fromCharCode(65 + index);

/** Which variant an enrollment gets: an even split decided by its id alone (the same arm on every step and every retry). */
export function variantIndex(enrollmentId: string, variantCount: number): number {
  if (variantCount <= 1) return 0;
  return createHash('sha256').update(enrollmentId).digest().readUInt32BE(0) % variantCount;
}

/** The content of variant `index` (0: the step itself). */
export function variantContent(step: StepContent, variants: readonly StepVariant[], index: number): StepContent {
  if (index === 0) return step;
  const v = variants[index - 1]!;
  return { subject: v.subject !== undefined ? v.subject : step.subject, html: v.html !== undefined ? v.html : step.html, text: v.text !== undefined ? v.text : step.text };
}

/** `GET /v1/sequences/:id/variants?step=N`: one step (default: every step that has variants). */
export const VariantResultsQuery = z.object({ step: z.coerce.number().int().min(1).max(50).optional() }).strict();

export interface VariantResult {
  variant: string;
  /** Enrollments whose step went out in this variant. */
  sent: number;
  /** Of those, how many the prospect answered (a human reply, not an auto-reply) after this step went out. */
  replies: number;
  /** The sent emails of this variant (for the tracker's engagement, GET /v1/emails/engagement?ids=), at most 1 000. */
  sentEmailIds: string[];
}

export interface VariantResults {
  sequenceId: string;
  steps: { stepNumber: number; variants: VariantResult[] }[];
}

const MAX_IDS = 1000;

/** Per-variant results of a sequence's steps, from the sequencer's own hand-overs and reply effects. */
export async function variantResults(ds: DataSource, orgId: string, sequenceId: string, step: number | undefined): Promise<VariantResults> {
  const steps = (await ds.query(
    `SELECT step_number, jsonb_array_length(variants)::int AS variants FROM sequencer.sequence_step
     WHERE sequence_id = $1 AND ($2::int IS NULL OR step_number = $2) AND ($2::int IS NOT NULL OR jsonb_array_length(variants) > 0) ORDER BY step_number`,
    [sequenceId, step ?? null],
  )) as { step_number: number; variants: number }[];
  if (step !== undefined && steps.length === 0) throw new NotFoundException({ error: 'step_not_found', message: `the sequence has no step ${step}` });
  const rows = (await ds.query(
    `SELECT d.step_number, coalesce(d.variant, 0)::int AS variant, count(*)::int AS sent,
            count(*) FILTER (WHERE EXISTS (SELECT 1 FROM sequencer.reply_effect r WHERE r.enrollment_id = d.enrollment_id AND r.kind = 'reply' AND r.occurred_at >= d.sent_at))::int AS replies,
            (array_agg(d.sent_email_id) FILTER (WHERE d.sent_email_id IS NOT NULL))[1:${MAX_IDS}] AS ids
     FROM sequencer.step_dispatch d JOIN sequencer.enrollment e ON e.id = d.enrollment_id
     WHERE e.sequence_id = $1 AND e.org_id = $2 AND d.status = 'sent' AND d.step_number = ANY($3::int[])
     GROUP BY d.step_number, coalesce(d.variant, 0)`,
    [sequenceId, orgId, steps.map((s) => s.step_number)],
  )) as { step_number: number; variant: number; sent: number; replies: number; ids: string[] | null }[];
  return {
    sequenceId,
    steps: steps.map((s) => ({
      stepNumber: s.step_number,
      variants: Array.from({ length: s.variants + 1 }, (_, i) => {
        const r = rows.find((x) => x.step_number === s.step_number && x.variant === i);
        return { variant: variantLetter(i), sent: r?.sent ?? 0, replies: r?.replies ?? 0, sentEmailIds: r?.ids ?? [] };
      }),
    })),
  };
}
