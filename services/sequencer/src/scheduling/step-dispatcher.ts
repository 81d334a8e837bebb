import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { emailSendRequestedTopic } from '@telltale/contracts';
import { CLOCK, type Clock } from '@telltale/db';
import { ServiceRuntime } from '@telltale/runtime';
import { EnrollmentStore } from '../enrollments/enrollment-store';
import { SEQUENCER_SETTINGS, type SequencerSettings } from '../sequencer-settings';
import { renderStep } from '../sequences/step-template';
import { sendSlot, type SendWindow } from './send-window';
import { capFullUntil } from './mailbox-caps';
import { variantContent, variantIndex, type StepVariant } from '../sequences/step-variants';
import { templateVariables } from '../enrollments/enrollment-variables';
import { STOP_REASON_OF_SUPPRESSION } from '../suppression/suppression-list';
import { firstSuppressed, liveSuppressions } from '../suppression/suppression-store';

interface StepRow {
  sequence_id: string;
  step_number: number;
  subject: string | null;
  html: string | null;
  text: string | null;
  track_opens: boolean;
  track_clicks: boolean;
  send_window: SendWindow | null;
  variants: StepVariant[];
}

/**
 * Hands due steps to the sender. Each hand-over re-reads the enrollment under a row lock in the same
 * transaction that writes the dispatch and the `email.send-requested.v1` outbox row, so a stop that
 * committed first always wins (docs/architecture.md, Reliability).
 */
@Injectable()
export class StepDispatcher implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly store: EnrollmentStore;
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<number> | null = null;

  constructor(
    private readonly runtime: ServiceRuntime,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(SEQUENCER_SETTINGS) private readonly settings: SequencerSettings,
  ) {
    this.store = new EnrollmentStore(runtime.outbox);
  }

  onApplicationBootstrap(): void {
    if (this.settings.tickMs > 0) {
      this.timer = setInterval(() => void this.tick(), this.settings.tickMs);
      this.timer.unref();
    }
  }

  onApplicationShutdown(): Promise<unknown> | void {
    if (this.timer) clearInterval(this.timer);
    return this.running ?? undefined;
  }

  /** One scheduler pass: resumes pauses that are over, then hands over due steps (returns how many). Safe to run concurrently. */
  tick(): Promise<number> {
    this.running ??= this.dispatchDue()
      .catch((err: unknown) => {
        this.runtime.logger.error({ err: (err as Error).message }, 'step dispatch failed');
        return 0;
      })
      .finally(() => {
        this.running = null;
      });
    return this.running;
  }

  private async dispatchDue(): Promise<number> {
    while ((await this.resumeBatch(50)) === 50);
    let total = 0;
    for (;;) {
      const n = await this.dispatchBatch(50);
      total += n;
      if (n < 50) return total;
    }
  }

  /** Resumes paused enrollments whose pause is over; the step that was due gets its full delay again. */
  private resumeBatch(limit: number): Promise<number> {
    const now = this.clock.now();
    return this.runtime.transaction(async (m) => {
      const over = await this.store.lockPauseOver(m, now, limit);
      for (const enrollment of over) {
        await this.store.transition(m, enrollment, await this.store.resumeCommand(m, enrollment), now, { pausedUntil: enrollment.paused_until?.toISOString() ?? null });
      }
      return over.length;
    });
  }

  private dispatchBatch(limit: number): Promise<number> {
    const now = this.clock.now();
    return this.runtime.transaction(async (m) => {
      const due = await this.store.lockDue(m, now, limit);
      for (const enrollment of due) {
        // A step never mails a suppressed person (prospect or CC): the enrollment stops, saying whom and why.
        const refused = firstSuppressed(await liveSuppressions(m, enrollment.org_id, [enrollment.prospect.address, ...enrollment.cc.map((c) => c.address)]), enrollment.prospect.address, enrollment.cc, 'prospect');
        if (refused) {
          const { entry } = refused;
          await this.store.transition(m, enrollment, { kind: 'stop', reason: STOP_REASON_OF_SUPPRESSION[entry.reason], at: now }, now, {
            reason: 'address_suppressed',
            address: entry.address,
            suppression: entry.reason,
            since: entry.since,
            causeId: entry.suppressionId,
          });
          continue;
        }
        const [step] = (await m.query(
          `SELECT st.sequence_id, st.step_number, st.subject, st.html, st.text, s.track_opens, s.track_clicks, s.send_window, st.variants
           FROM sequencer.sequence_step st JOIN sequencer.sequence s ON s.id = st.sequence_id
           WHERE st.sequence_id = $1 AND st.step_number = $2`,
          [enrollment.sequence_id, enrollment.next_step_number],
        )) as StepRow[];
        if (!step) {
          await this.store.transition(m, enrollment, { kind: 'step-sent', stepNumber: enrollment.next_step_number, sentAt: now, nextStepDelaySeconds: null }, now, {
            note: 'no such step',
          });
          continue;
        }
        // The send window, in the prospect's time zone when known: outside it (or not yet spread after its opening) the step waits.
        if (step.send_window) {
          const timeZone = enrollment.time_zone ?? step.send_window.timeZone;
          const [spread] = (await m.query(
            `SELECT 1 FROM sequencer.enrollment_event WHERE enrollment_id = $1 AND transition = 'step-deferred' AND (detail->>'stepNumber')::int = $2 LIMIT 1`,
            [enrollment.id, step.step_number],
          )) as unknown[];
          const slot = sendSlot(now, step.send_window, timeZone, enrollment.id, step.step_number, spread !== undefined);
          if (slot.getTime() > now.getTime()) {
            await this.store.transition(m, enrollment, { kind: 'step-deferred', stepNumber: step.step_number, until: slot }, now, {
              reason: 'send_window',
              stepNumber: step.step_number,
              timeZone,
              until: slot.toISOString(),
            });
            continue;
          }
        }
        // The team's daily cap on the mailbox (under the provider limits the sender enforces): a step over it waits for the next day, never dropped.
        const full = await capFullUntil(m, enrollment.mailbox_id, now);
        if (full) {
          await this.store.transition(m, enrollment, { kind: 'step-deferred', stepNumber: step.step_number, until: full.until }, now, {
            reason: 'daily_cap',
            stepNumber: step.step_number,
            dailyCap: full.cap,
            timeZone: full.timeZone,
            until: full.until.toISOString(),
          });
          continue;
        }
        // Templates are rendered here, so the sender gets the finished email; a variable with no value and no fallback pauses the enrollment instead.
        // A/B: the enrollment's arm, the same on every step and retry.
        const variant = variantIndex(enrollment.id, step.variants.length + 1);
        const rendered = renderStep(variantContent(step, step.variants, variant), templateVariables(enrollment.prospect, enrollment.variables));
        if (!rendered.ok) {
          await this.store.transition(m, enrollment, { kind: 'pause', until: null, at: now }, now, {
            reason: rendered.problem === 'missing_variable' ? 'template_variable_missing' : 'template_render_failed',
            stepNumber: step.step_number,
            variant,
            field: rendered.field,
            variable: rendered.variable,
            message: rendered.message,
          });
          continue;
        }
        const sendRequestId = randomUUID();
        const result = await this.store.transition(m, enrollment, { kind: 'step-dispatched', stepNumber: step.step_number }, now, { sendRequestId });
        if (!result.changed) continue;
        await m.query(
          `INSERT INTO sequencer.step_dispatch (id, org_id, enrollment_id, step_number, status, requested_at, variant) VALUES ($1, $2, $3, $4, 'requested', $5, $6)`,
          [sendRequestId, enrollment.org_id, enrollment.id, step.step_number, now, step.variants.length > 0 ? variant : null],
        );
        const content = rendered.content;
        const inThread = step.subject === null && enrollment.thread_subject !== null;
        const subject = content.subject || (enrollment.thread_subject ? `Re: ${enrollment.thread_subject.replace(/^(re:\s*)+/i, '')}` : '(no subject)');
        await this.runtime.outbox.enqueue(
          m,
          emailSendRequestedTopic,
          {
            sendRequestId,
            orgId: enrollment.org_id,
            mailboxId: enrollment.mailbox_id,
            enrollmentId: enrollment.id,
            sequenceId: enrollment.sequence_id,
            stepNumber: step.step_number,
            from: enrollment.sender,
            to: [enrollment.prospect],
            cc: enrollment.cc,
            subject,
            html: content.html,
            text: content.text,
            replyToMessageId: inThread ? enrollment.thread_message_id : null,
            tracking: { opens: step.track_opens, clicks: step.track_clicks },
            notAfter: new Date(now.getTime() + this.settings.sendWindowSeconds * 1000).toISOString(),
            requestedAt: now.toISOString(),
          },
          { orgId: enrollment.org_id, eventId: sendRequestId, occurredAt: now },
        );
      }
      return due.length;
    });
  }
}
