import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { ReplyDetected } from '@telltale/contracts';
import { CLOCK, type Clock } from '@telltale/db';
import { EnrollmentStore, type EnrollmentRow } from '../enrollments/enrollment-store';
import { EnrollmentsService } from '../enrollments/enrollments.service';
import { SEQUENCER_SETTINGS, type SequencerSettings } from '../sequencer-settings';
import type { ColleagueReplyRule } from '../sequences/colleague-reply-rule';
import { companyDomainOf } from './company-domain';
import { outOfOfficePause } from './out-of-office-pause';
import { ServiceRuntime } from '@telltale/runtime';
import { SuppressionList } from '../suppression/suppression-list';

export type ReplyEffect = 'stopped' | 'paused' | 'pause_extended' | 'none';

/**
 * The sequencer's side of reply detection (issue 5): a human reply stops the enrollment it answers,
 * the prospect's out-of-office pauses it, and a reply from someone at a company stops or pauses the
 * org's other enrollments there whose sequence asks for it. Every decision, including "did nothing",
 * is recorded in `reply_effect` with its reason.
 */
@Injectable()
export class HandleDetectedReplyUseCase {
  private readonly store: EnrollmentStore;

  constructor(
    private readonly enrollments: EnrollmentsService,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(SEQUENCER_SETTINGS) private readonly settings: SequencerSettings,
    runtime: ServiceRuntime,
    private readonly suppressions: SuppressionList,
  ) {
    this.store = new EnrollmentStore(runtime.outbox);
  }

  async execute(m: EntityManager, reply: ReplyDetected): Promise<void> {
    const now = this.clock.now();
    if (reply.enrollmentId) {
      const outcome = reply.kind === 'reply' ? await this.stopForReply(m, reply, reply.enrollmentId, now) : await this.pauseForAutoReply(m, reply, reply.enrollmentId, now);
      if (outcome) await this.record(m, reply, reply.enrollmentId, outcome, now);
    }
    if (reply.kind === 'reply') await this.applyCompanyRule(m, reply, now);
    // "Unsubscribe", "remove me", "stop emailing me": the person is never mailed again by the organisation.
    if (reply.kind === 'reply' && reply.unsubscribeRequested) {
      await this.suppressions.addWithin(m, reply.orgId, reply.from.address, 'unsubscribed', { kind: 'reply', id: reply.replyId, detail: null }, now);
    }
  }

  private async stopForReply(m: EntityManager, reply: ReplyDetected, enrollmentId: string, now: Date): Promise<{ effect: ReplyEffect; why: string } | null> {
    const reason = reply.unsubscribeRequested ? 'unsubscribed' : 'replied';
    const result = await this.enrollments.stopWithin(m, reply.orgId, enrollmentId, reason, reply.replyId, now);
    if (!result) return null;
    // campaign.stop.v1 for the same reply may have stopped it first, as "replied": the reply asked to stop mailing.
    if (reason === 'unsubscribed' && !result.changed) {
      await m.query(`UPDATE sequencer.enrollment SET stop_reason = 'unsubscribed' WHERE id = $1 AND stop_cause_id = $2 AND stop_reason = 'replied'`, [enrollmentId, reply.replyId]);
    }
    // A person who writes back is not away any more.
    await m.query(`DELETE FROM sequencer.out_of_office WHERE org_id = $1 AND address = lower($2)`, [reply.orgId, reply.from.address]);
    if (result.changed && reason === 'unsubscribed') return { effect: 'stopped', why: `a reply from the ${reply.relation} (${reply.from.address}) asks to stop emailing: stopped (unsubscribed) and the address suppressed` };
    if (result.changed) return { effect: 'stopped', why: `a human reply from the ${reply.relation} (${reply.from.address}) stops the campaign` };
    const [row] = (await m.query(`SELECT stop_cause_id FROM sequencer.enrollment WHERE id = $1`, [enrollmentId])) as { stop_cause_id: string | null }[];
    if (row?.stop_cause_id === reply.replyId) return { effect: 'stopped', why: 'campaign.stop.v1 for this reply arrived first and stopped the campaign' };
    return { effect: 'none', why: `a human reply arrived but the ${result.why}` };
  }

  private async pauseForAutoReply(m: EntityManager, reply: ReplyDetected, enrollmentId: string, now: Date): Promise<{ effect: ReplyEffect; why: string } | null> {
    const row = await this.store.lock(m, enrollmentId);
    if (!row || row.org_id !== reply.orgId) return null;
    // An out-of-office from someone on CC or a colleague says nothing about the prospect's inbox.
    if (reply.relation !== 'prospect') return { effect: 'none', why: `an auto-reply from the ${reply.relation} (${reply.from.address}) does not pause the prospect's campaign` };
    const decision = outOfOfficePause(reply.returnDate, now, this.settings.outOfOffice);
    if (!decision.pause) return { effect: 'none', why: `an out-of-office reply was not a reason to pause: ${decision.why}` };
    const basis =
      decision.basis === 'return_date'
        ? `the stated return date ${reply.returnDate ?? ''}`
        : decision.basis === 'capped'
          ? `the ${this.settings.outOfOffice.maxDays}-day cap`
          : `the ${this.settings.outOfOffice.defaultDays}-day default (no return date stated)`;
    const address = row.prospect.address.toLowerCase();
    // Remembered per person, never shortened: Gmail's vacation responder answers a sender only
    // once every few days, so the next auto-reply may never come.
    await m.query(
      `INSERT INTO sequencer.out_of_office (org_id, address, until, reply_id, return_date, updated_at) VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (org_id, address) DO UPDATE SET
         reply_id = CASE WHEN EXCLUDED.until > out_of_office.until THEN EXCLUDED.reply_id ELSE out_of_office.reply_id END,
         return_date = CASE WHEN EXCLUDED.until > out_of_office.until THEN EXCLUDED.return_date ELSE out_of_office.return_date END,
         until = GREATEST(out_of_office.until, EXCLUDED.until), updated_at = EXCLUDED.updated_at`,
      [reply.orgId, address, decision.until, reply.replyId, reply.returnDate, now],
    );
    const outcome = await this.pause(m, row, reply, decision.until, now, 'out_of_office', `the prospect is out of office`, basis);
    // The same person in the org's other sequences is just as away.
    const others = (await m.query(
      `SELECT id FROM sequencer.enrollment WHERE org_id = $1 AND lower(prospect->>'address') = $2 AND state IN ('active', 'paused') AND id <> $3 ORDER BY id`,
      [reply.orgId, address, row.id],
    )) as { id: string }[];
    for (const other of others) {
      const otherRow = await this.store.lock(m, other.id);
      if (!otherRow) continue;
      await this.record(m, reply, other.id, await this.pause(m, otherRow, reply, decision.until, now, 'out_of_office', `the prospect is out of office (auto-reply to another sequence)`, basis), now);
    }
    return outcome;
  }

  private async pause(
    m: EntityManager,
    row: EnrollmentRow,
    reply: ReplyDetected,
    until: Date,
    now: Date,
    reason: 'out_of_office' | 'company_replied',
    what: string,
    basis: string,
  ): Promise<{ effect: ReplyEffect; why: string }> {
    const wasPaused = row.state === 'paused';
    const result = await this.store.transition(m, row, { kind: 'pause', until, at: now }, now, { reason, replyId: reply.replyId, returnDate: reply.returnDate });
    if (!result.changed) return { effect: 'none', why: `${what}, but nothing changed: ${result.why}` };
    await this.store.cancelPendingHandOvers(m, row.id);
    return {
      effect: wasPaused ? 'pause_extended' : 'paused',
      why: `${what}: ${wasPaused ? 'pause extended' : 'paused'} until ${until.toISOString()} (${basis}); the next step then waits its full delay`,
    };
  }

  private async applyCompanyRule(m: EntityManager, reply: ReplyDetected, now: Date): Promise<void> {
    const domain = companyDomainOf(reply.from.address, this.settings.freeMailDomains);
    if (!domain) return;
    // Ordered by id so concurrent company stops lock rows in one order.
    const others = (await m.query(
      `SELECT e.id, s.on_colleague_reply AS rule FROM sequencer.enrollment e JOIN sequencer.sequence s ON s.id = e.sequence_id
       WHERE e.org_id = $1 AND lower(split_part(e.prospect->>'address', '@', 2)) = $2 AND e.state IN ('active', 'paused')
         AND s.on_colleague_reply <> 'none' AND e.id IS DISTINCT FROM $3
       ORDER BY e.id`,
      [reply.orgId, domain, reply.enrollmentId],
    )) as { id: string; rule: Exclude<ColleagueReplyRule, 'none'> }[];
    for (const other of others) {
      const outcome = other.rule === 'stop' ? await this.companyStop(m, reply, other.id, domain, now) : await this.companyPause(m, reply, other.id, domain, now);
      await this.record(m, reply, other.id, outcome, now);
    }
  }

  private async companyStop(m: EntityManager, reply: ReplyDetected, enrollmentId: string, domain: string, now: Date): Promise<{ effect: ReplyEffect; why: string }> {
    const result = await this.enrollments.stopWithin(m, reply.orgId, enrollmentId, 'company_replied', reply.replyId, now);
    if (result?.changed) return { effect: 'stopped', why: `${reply.from.address} at ${domain} replied and the sequence's company rule is "stop"` };
    return { effect: 'none', why: `${reply.from.address} at ${domain} replied, but ${result?.changed === false ? result.why : 'the enrollment is gone'}` };
  }

  private async companyPause(m: EntityManager, reply: ReplyDetected, enrollmentId: string, domain: string, now: Date): Promise<{ effect: ReplyEffect; why: string }> {
    const row = await this.store.lock(m, enrollmentId);
    if (!row) return { effect: 'none', why: 'the enrollment is gone' };
    const until = new Date(now.getTime() + this.settings.colleaguePauseDays * 86_400_000);
    return this.pause(m, row, reply, until, now, 'company_replied', `${reply.from.address} at ${domain} replied and the sequence's company rule is "pause"`, `${this.settings.colleaguePauseDays} days`);
  }

  private async record(m: EntityManager, reply: ReplyDetected, enrollmentId: string, outcome: { effect: ReplyEffect; why: string }, now: Date): Promise<void> {
    await m.query(
      `INSERT INTO sequencer.reply_effect (reply_id, enrollment_id, org_id, kind, relation, from_address, return_date, effect, why, occurred_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (reply_id, enrollment_id) DO NOTHING`,
      [reply.replyId, enrollmentId, reply.orgId, reply.kind, reply.relation, reply.from.address, reply.returnDate, outcome.effect, outcome.why, now],
    );
  }
}
