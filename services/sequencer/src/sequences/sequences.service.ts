import { Injectable, NotFoundException } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { ServiceRuntime } from '@telltale/runtime';
import { ColleagueReplyRule } from './colleague-reply-rule';
import { Sequence } from './sequence.entity';
import { SequenceStep } from './sequence-step.entity';

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

const contentCharacters = (steps: readonly { html: string | null; text: string | null }[]): number =>
  steps.reduce((sum, s) => sum + (s.html?.length ?? 0) + (s.text?.length ?? 0), 0);

export const CreateSequenceRequest = z
  .object({
    name: z.string().trim().min(1).max(MAX_NAME_CHARACTERS),
    tracking: z.object({ opens: z.boolean(), clicks: z.boolean() }).default({ opens: true, clicks: true }),
    /** Company-wide rule: what a reply from the prospect's company does to the other enrollments there. */
    onColleagueReply: ColleagueReplyRule.default('none'),
    steps: z
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
          })
          .refine((s) => s.html !== null || s.text !== null, 'a step needs html or text'),
      )
      .min(1)
      .max(MAX_STEPS)
      .refine((steps) => contentCharacters(steps) <= MAX_CONTENT_CHARACTERS, `the steps' html and text together must be at most ${MAX_CONTENT_CHARACTERS} characters`)
      .refine((steps) => steps[0]?.subject, { message: 'the first step needs a subject', path: [0, 'subject'] }),
  })
  .strict();
export type CreateSequenceRequest = z.output<typeof CreateSequenceRequest>;

export interface SequenceView {
  id: string;
  orgId: string;
  ownerUserId: string | null;
  name: string;
  tracking: { opens: boolean; clicks: boolean };
  onColleagueReply: ColleagueReplyRule;
  steps: { stepNumber: number; delaySeconds: number; subject: string | null; inThread: boolean }[];
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
    steps: [...s.steps]
      .sort((a, b) => a.stepNumber - b.stepNumber)
      .map((st) => ({ stepNumber: st.stepNumber, delaySeconds: st.delaySeconds, subject: st.subject, inThread: st.stepNumber > 1 && !st.subject })),
    createdAt: s.createdAt.toISOString(),
  };
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
      steps: request.steps.map((step, i) =>
        Object.assign(new SequenceStep(), {
          sequenceId: id,
          stepNumber: i + 1,
          delaySeconds: Math.round(step.delayDays * 86_400 + step.delayMinutes * 60),
          subject: step.subject?.trim() ? step.subject : null,
          html: step.html,
          text: step.text,
        }),
      ),
    });
    await repo.save(sequence);
    return this.get(orgId, id);
  }

  async get(orgId: string, id: string): Promise<Sequence> {
    const found = await this.runtime.dataSource.getRepository(Sequence).findOne({ where: { id, orgId } });
    if (!found) throw new NotFoundException({ error: 'sequence_not_found' });
    return found;
  }
}
