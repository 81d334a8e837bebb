import { ConflictException, Injectable, NotFoundException } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { ServiceRuntime } from '@telltale/runtime';
import { ColleagueReplyRule } from './colleague-reply-rule';
import { Sequence } from './sequence.entity';
import { SequenceStep } from './sequence-step.entity';
import { checkTemplate } from './step-template';
import { MAX_VARIANTS, type StepVariant } from './step-variants';
import { SendWindow } from '../scheduling/send-window';

const MAX_DELAY_DAYS = 365;
const MAX_STEPS = 50;
const MAX_NAME_CHARACTERS = 200;
const MAX_SUBJECT_CHARACTERS = 998;
/** One step's html or text, as one email's (the sender's limit). */
const MAX_BODY_CHARACTERS = 1_000_000;
/** Every step's html and text together: as much as one email with both at their maximum. */
const MAX_CONTENT_CHARACTERS = 2 * MAX_BODY_CHARACTERS;

/** The most text a sequence's fields hold together: what the sequencer's JSON body limit is made from. */
export const SEQUENCE_MAX_CHARACTERS = MAX_CONTENT_CHARACTERS + MAX_NAME_CHARACTERS + MAX_STEPS * MAX_SUBJECT_CHARACTERS;

type Bodies = { html?: string | null; text?: string | null };
const bodyCharacters = (s: Bodies): number => (s.html?.length ?? 0) + (s.text?.length ?? 0);
const contentCharacters = (steps: readonly (Bodies & { variants?: readonly Bodies[] })[]): number =>
  steps.reduce((sum, s) => sum + bodyCharacters(s) + (s.variants ?? []).reduce((n, v) => n + bodyCharacters(v), 0), 0);

/** An A/B variant: the subject and/or body it sends instead of the step's (a field left out is the step's). */
const StepVariantInput = z
  .object({
    subject: z.string().max(MAX_SUBJECT_CHARACTERS).nullable().optional(),
    html: z.string().max(MAX_BODY_CHARACTERS).nullable().optional(),
    text: z.string().max(MAX_BODY_CHARACTERS).nullable().optional(),
  })
  .strict()
  .refine((v) => v.subject !== undefined || v.html !== undefined || v.text !== undefined, 'a variant changes the subject, the html or the text');

/** A sequence's steps, in order (create, and the whole list again on edit). */
const SequenceSteps = z
  .array(
    z
      .object({
        /** Wait after the previous step was sent (step 1: after enrollment). */
        delayDays: z.number().min(0).max(MAX_DELAY_DAYS).default(0),
        delayMinutes: z.number().int().min(0).max(MAX_DELAY_DAYS * 24 * 60).default(0),
        /** Omit on a follow-up to send it in the same thread ("Re: <first subject>"). */
        subject: z.string().max(MAX_SUBJECT_CHARACTERS).nullable().default(null),
        html: z.string().max(MAX_BODY_CHARACTERS).nullable().default(null),
        text: z.string().max(MAX_BODY_CHARACTERS).nullable().default(null),
        /** A/B: up to 3 variants beside the step itself (A), split evenly by enrollment. */
        variants: z.array(StepVariantInput).max(MAX_VARIANTS).default([]),
      })
      .refine((s) => s.html !== null || s.text !== null, 'a step needs html or text'),
  )
  .min(1)
  .max(MAX_STEPS)
  .superRefine((steps, ctx) => {
    // Liquid templates (step-template.ts) are refused when saved, naming the step, the field and the line.
    steps.forEach((step, i) => {
      const contents: [(string | number)[], string, Bodies & { subject?: string | null }][] = [
        [[i], `step ${i + 1}`, step],
        ...step.variants.map((v, j): [(string | number)[], string, Bodies & { subject?: string | null }] => [[i, 'variants', j], `step ${i + 1} variant ${String.fromCharCode(66 + j)}`, v]),
      ];
      for (const [path, name, content] of contents) {
        for (const field of ['subject', 'html', 'text'] as const) {
          const source = content[field];
          const problem = source === null || source === undefined ? null : checkTemplate(field, source);
          if (problem) {
            const where = problem.line === null ? '' : `, line ${problem.line}`;
            ctx.addIssue({ code: 'custom', path: [...path, field], message: `${name} ${field}${where}: template error: ${problem.message}` });
          }
        }
      }
    });
  })
  .refine((steps) => contentCharacters(steps) <= MAX_CONTENT_CHARACTERS, `the steps' html and text together must be at most ${MAX_CONTENT_CHARACTERS} characters`)
  .refine((steps) => steps[0]?.subject, { message: 'the first step needs a subject', path: [0, 'subject'] });

export const CreateSequenceRequest = z
  .object({
    name: z.string().trim().min(1).max(MAX_NAME_CHARACTERS),
    tracking: z.object({ opens: z.boolean(), clicks: z.boolean() }).default({ opens: true, clicks: true }),
    /** Company-wide rule: what a reply from the prospect's company does to the other enrollments there. */
    onColleagueReply: ColleagueReplyRule.default('none'),
    /** Days and hours steps may leave, in the prospect's time zone (else the window's); null or absent: any time. */
    sendWindow: SendWindow.nullable().default(null),
    steps: SequenceSteps,
  })
  .strict();
export type CreateSequenceRequest = z.output<typeof CreateSequenceRequest>;

/**
 * `PATCH /v1/sequences/:id`: any of the fields; `steps` is the whole new list. Editing a live
 * sequence (docs/architecture.md, Sequences): a step already handed to the sender for some
 * enrollment stays (the list may not get shorter than the highest such step, 409 steps_in_use);
 * its content and delay may change. Every change applies from each enrollment's next hand-over on:
 * what was sent stays as sent, a step already scheduled keeps its due time (a new delay counts from
 * the next step sent), enrollments that have not reached the end go on to added steps, and one whose
 * next step was removed completes at its due time. Completed and stopped enrollments stay so.
 */
export const UpdateSequenceRequest = z
  .object({
    name: z.string().trim().min(1).max(MAX_NAME_CHARACTERS).optional(),
    tracking: z.object({ opens: z.boolean(), clicks: z.boolean() }).strict().optional(),
    onColleagueReply: ColleagueReplyRule.optional(),
    sendWindow: SendWindow.nullable().optional(),
    steps: SequenceSteps.optional(),
  })
  .strict()
  .refine((r) => Object.values(r).some((v) => v !== undefined), 'name the fields to change (name, tracking, onColleagueReply, sendWindow, steps)');
export type UpdateSequenceRequest = z.output<typeof UpdateSequenceRequest>;

export interface SequenceView {
  id: string;
  orgId: string;
  ownerUserId: string | null;
  name: string;
  tracking: { opens: boolean; clicks: boolean };
  onColleagueReply: ColleagueReplyRule;
  sendWindow: SendWindow | null;
  /** With their html and text, so an editor can change them (PATCH sends the whole list back). */
  steps: { stepNumber: number; delaySeconds: number; subject: string | null; inThread: boolean; html: string | null; text: string | null; variants: StepVariant[] }[];
  createdAt: string;
}

export function toSequenceView(s: Sequence): SequenceView {
  return {
    id: s.id,
    orgId: s.orgId,
    ownerUserId: s.ownerUserId ?? null,
    name: s.name,
    tracking: { opens: s.trackOpens, clicks: s.trackClicks },
    onColleagueReply: s.onColleagueReply,
    sendWindow: s.sendWindow ?? null,
    steps: [...s.steps]
      .sort((a, b) => a.stepNumber - b.stepNumber)
      .map((st) => ({ stepNumber: st.stepNumber, delaySeconds: st.delaySeconds, subject: st.subject, inThread: st.stepNumber > 1 && !st.subject, html: st.html, text: st.text, variants: st.variants ?? [] })),
    createdAt: s.createdAt.toISOString(),
  };
}

function toSteps(sequenceId: string, steps: CreateSequenceRequest['steps']): SequenceStep[] {
  return steps.map((step, i) =>
    Object.assign(new SequenceStep(), {
      sequenceId,
      stepNumber: i + 1,
      delaySeconds: Math.round(step.delayDays * 86_400 + step.delayMinutes * 60),
      subject: step.subject?.trim() ? step.subject : null,
      html: step.html,
      text: step.text,
      variants: step.variants,
    }),
  );
}

@Injectable()
export class SequencesService {
  constructor(private readonly runtime: ServiceRuntime) {}

  async create(orgId: string, request: CreateSequenceRequest, ownerUserId: string | null = null): Promise<Sequence> {
    const repo = this.runtime.dataSource.getRepository(Sequence);
    const id = randomUUID();
    const sequence = repo.create({
      id,
      orgId,
      ownerUserId,
      name: request.name,
      trackOpens: request.tracking.opens,
      trackClicks: request.tracking.clicks,
      onColleagueReply: request.onColleagueReply,
      sendWindow: request.sendWindow,
      steps: toSteps(id, request.steps),
    });
    await repo.save(sequence);
    return this.get(orgId, id);
  }

  /**
   * Edits a sequence (see UpdateSequenceRequest for what that means for live enrollments). The
   * sequence's live enrollments are locked first, so the dispatcher (which skips locked rows) can
   * hand nothing over between the check of the steps in use and the new steps.
   */
  async update(orgId: string, id: string, request: UpdateSequenceRequest): Promise<Sequence> {
    await this.runtime.transaction(async (m) => {
      const [found] = (await m.query(`SELECT id FROM sequencer.sequence WHERE id = $1 AND org_id = $2 FOR UPDATE`, [id, orgId])) as unknown[];
      if (!found) throw new NotFoundException({ error: 'sequence_not_found' });
      const set: Record<string, unknown> = {};
      if (request.name !== undefined) set.name = request.name;
      if (request.tracking) Object.assign(set, { trackOpens: request.tracking.opens, trackClicks: request.tracking.clicks });
      if (request.onColleagueReply !== undefined) set.onColleagueReply = request.onColleagueReply;
      if (request.sendWindow !== undefined) set.sendWindow = request.sendWindow;
      if (Object.keys(set).length > 0) await m.getRepository(Sequence).update({ id, orgId }, set);
      if (!request.steps) return;
      await m.query(`SELECT id FROM sequencer.enrollment WHERE sequence_id = $1 AND state IN ('active', 'paused') ORDER BY id FOR UPDATE`, [id]);
      const [{ in_use: inUse }] = (await m.query(
        `SELECT coalesce(max(d.step_number), 0)::int AS in_use FROM sequencer.step_dispatch d JOIN sequencer.enrollment e ON e.id = d.enrollment_id
         WHERE e.sequence_id = $1 AND d.status <> 'cancelled'`,
        [id],
      )) as [{ in_use: number }];
      if (request.steps.length < inUse) {
        throw new ConflictException({
          error: 'steps_in_use',
          message: `Steps 1 to ${inUse} were already handed to the sender for some enrollment and cannot be removed; edit them instead (the new list has ${request.steps.length}).`,
          stepsInUse: inUse,
        });
      }
      await m.query(`DELETE FROM sequencer.sequence_step WHERE sequence_id = $1`, [id]);
      await m.getRepository(SequenceStep).insert(toSteps(id, request.steps));
    });
    return this.get(orgId, id);
  }

  async get(orgId: string, id: string): Promise<Sequence> {
    const found = await this.runtime.dataSource.getRepository(Sequence).findOne({ where: { id, orgId } });
    if (!found) throw new NotFoundException({ error: 'sequence_not_found' });
    return found;
  }
}
