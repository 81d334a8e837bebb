import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import {
  campaignStopTopic,
  emailBouncedTopic,
  emailSendFailedTopic,
  emailSentTopic,
  enrollmentPauseChangedTopic,
  replyDetectedTopic,
  trackingEngagementCorrectedTopic,
  trackingEngagementTopic,
  type CampaignStop,
  type EmailBounced,
  type EmailSendFailed,
  type EmailSent,
  type EnrollmentPauseChanged,
  type MailboxConnectionChanged,
  type ReplyDetected,
  type TrackingEngagement,
  type TrackingEngagementCorrected,
} from '@telltale/contracts';
import { ServiceRuntime } from '@telltale/runtime';
import {
  projectBounce,
  projectCorrection,
  projectEngagement,
  projectPauseChange,
  projectReply,
  projectSendFailed,
  projectSent,
  projectStop,
  waitKey,
  type CauseFacts,
  type FeedKind,
  type NewFeedItem,
  type Projection,
  type SentFacts,
} from './feed-projection';
import { feedWhere, type FeedFilter, type FeedRow } from './feed-query';

/** The channel FeedStore notifies (the new row's id) at commit; FeedHub listens on it. */
export const FEED_CHANNEL = 'app_feed';
/**
 * Every feed transaction takes this transaction-level advisory lock first, held to the consumer's
 * commit (a few milliseconds), so feed transactions run one at a time: ids are committed in id
 * order (a reader that sees row N has seen every row below N, so "rows after Last-Event-ID" misses
 * nothing), and an event that finds its email unknown and waits cannot slip past the sent event
 * committing at the same moment (which would leave it waiting for ever). The price: one feed
 * transaction at a time for all organisations; the consumer takes events in batches, one
 * transaction per chunk, so this keeps up (feed.bench: 50 events/s with 1 000 open streams).
 */
const FEED_LOCK = 7_366_013_001;

type FeedTopic = typeof emailSentTopic | typeof trackingEngagementTopic | typeof trackingEngagementCorrectedTopic | typeof replyDetectedTopic | typeof emailBouncedTopic | typeof campaignStopTopic | typeof emailSendFailedTopic;

const COLUMNS = `f.id, f.kind, f.occurred_at, f.org_id, f.owner_user_id, f.sequence_id, f.enrollment_id, f.sent_email_id, f.mailbox_id,
  f.person_address, f.person_name, f.company, f.machine, f.machine_reasons, f.detail, f.summary`;

/** Holds at most this many events per dependency key: a flood for an email that never arrives stays bounded. */
const MAX_PENDING_PER_KEY = 1_000;

/**
 * The feed's projection and reads. Events that name an email (opens, clicks, replies, bounces,
 * stops) need what email.sent.v1 said about it (owner, person, subject); when one arrives first (the
 * topics are not ordered with one another) it waits in app.feed_pending and is projected, with a
 * new, later id, in the transaction that projects what it waited for. So every row is complete when
 * it is first streamed. The rep who owns a mailbox comes from mailbox.connection-changed.v1: rows
 * projected before it is known get their owner when it arrives (history shows them; a rep's open
 * stream, filtered on the owner, had not).
 */
@Injectable()
export class FeedStore {
  constructor(private readonly runtime: ServiceRuntime) {}

  async onSent(m: EntityManager, eventId: string, sent: EmailSent): Promise<void> {
    await this.serialise(m);
    const to = sent.to[0]!;
    await m.query(
      `INSERT INTO app.feed_sent_email (sent_email_id, org_id, mailbox_id, sequence_id, enrollment_id, subject, to_address, to_name, sent_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (sent_email_id) DO NOTHING`,
      [sent.sentEmailId, sent.orgId, sent.mailboxId, sent.sequenceId, sent.enrollmentId, sent.subject, to.address, to.name, new Date(sent.sentAt)],
    );
    await this.apply(m, eventId, emailSentTopic.name, sent, projectSent({ eventId, orgId: sent.orgId }, sent));
  }

  async onEngagement(m: EntityManager, eventId: string, hit: TrackingEngagement): Promise<void> {
    await this.serialise(m);
    const sent = await this.sentFacts(m, hit.orgId, hit.sentEmailId);
    const projection = projectEngagement({ eventId, orgId: hit.orgId }, hit, sent);
    const inserted = await this.apply(m, eventId, trackingEngagementTopic.name, hit, projection);
    // Counted once per item (a redelivered open inserts nothing).
    if (inserted && 'item' in projection && projection.item.kind === 'opened' && !projection.item.machine) {
      await m.query(`UPDATE app.feed_sent_email SET human_opens = human_opens + 1 WHERE sent_email_id = $1`, [hit.sentEmailId]);
    }
  }

  /**
   * A hit shown as a person's was a machine (tracking.engagement-corrected.v1): its item is restyled
   * and moved to a new id (in commit order, under the feed lock), so open streams receive it and
   * the browser replaces the item named in `detail.correction.replaces`; a human open no longer
   * counts. A correction that arrives before its item waits for it; one applied already does nothing.
   */
  async onCorrection(m: EntityManager, eventId: string, correction: TrackingEngagementCorrected): Promise<void> {
    await this.serialise(m);
    const [row] = (await m.query(
      `SELECT id, kind, machine, person_address, person_name, detail FROM app.feed_item WHERE org_id = $1 AND source_id = $2 AND kind IN ('opened', 'clicked') LIMIT 1`,
      [correction.orgId, correction.engagementId],
    )) as { id: string; kind: FeedKind; machine: boolean; person_address: string | null; person_name: string | null; detail: Record<string, unknown> }[];
    if (!row) {
      await this.apply(m, eventId, trackingEngagementCorrectedTopic.name, correction, { waitFor: waitKey.corrected(correction.engagementId) });
      return;
    }
    if (row.machine) return;
    const corrected = projectCorrection(
      { id: String(row.id), kind: row.kind, person: row.person_address ? { address: row.person_address, name: row.person_name } : null, detail: row.detail },
      correction,
    );
    const [moved] = (await m.query(
      `UPDATE app.feed_item SET id = nextval(pg_get_serial_sequence('app.feed_item', 'id')), machine = true, machine_reasons = $2, detail = $3, summary = $4
       WHERE id = $1 RETURNING id`,
      [row.id, corrected.machineReasons, JSON.stringify(corrected.detail), corrected.summary],
    )) as [{ id: string }[], number];
    if (row.kind === 'opened') await m.query(`UPDATE app.feed_sent_email SET human_opens = greatest(human_opens - 1, 0) WHERE sent_email_id = $1`, [correction.sentEmailId]);
    await m.query(`SELECT pg_notify($1, $2)`, [FEED_CHANNEL, String(moved[0]!.id)]);
  }

  async onReply(m: EntityManager, eventId: string, reply: ReplyDetected): Promise<void> {
    await this.serialise(m);
    await this.apply(m, eventId, replyDetectedTopic.name, reply, projectReply({ eventId, orgId: reply.orgId }, reply, await this.sentFacts(m, reply.orgId, reply.sentEmailId)));
  }

  async onBounce(m: EntityManager, eventId: string, bounce: EmailBounced): Promise<void> {
    await this.serialise(m);
    await this.apply(m, eventId, emailBouncedTopic.name, bounce, projectBounce({ eventId, orgId: bounce.orgId }, bounce, await this.sentFacts(m, bounce.orgId, bounce.sentEmailId)));
  }

  async onStop(m: EntityManager, eventId: string, stop: CampaignStop): Promise<void> {
    await this.serialise(m);
    const sent = stop.sentEmailId ? await this.sentFacts(m, stop.orgId, stop.sentEmailId) : null;
    const cause = await this.causeFacts(m, stop.orgId, stop.causeId);
    await this.apply(m, eventId, campaignStopTopic.name, stop, projectStop({ eventId, orgId: stop.orgId }, stop, sent, cause));
  }

  /** A pause or resume needs nothing else: it names the enrollment, the mailbox (its owner) and the person. */
  async onPauseChange(m: EntityManager, eventId: string, change: EnrollmentPauseChanged): Promise<void> {
    await this.serialise(m);
    await this.apply(m, eventId, enrollmentPauseChangedTopic.name, change, projectPauseChange({ eventId, orgId: change.orgId }, change));
  }

  async onSendFailed(m: EntityManager, eventId: string, failed: EmailSendFailed): Promise<void> {
    await this.serialise(m);
    await this.apply(m, eventId, emailSendFailedTopic.name, failed, projectSendFailed({ eventId, orgId: failed.orgId }, failed));
  }

  /** Keeps who owns each mailbox; an event without the owner never forgets a known one. */
  async onMailboxChanged(m: EntityManager, changed: MailboxConnectionChanged): Promise<void> {
    await this.serialise(m);
    const owner = changed.ownerUserId ?? null;
    await m.query(
      `INSERT INTO app.feed_mailbox (mailbox_id, org_id, owner_user_id, email_address, updated_at) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (mailbox_id) DO UPDATE SET owner_user_id = COALESCE(EXCLUDED.owner_user_id, app.feed_mailbox.owner_user_id),
         email_address = EXCLUDED.email_address, updated_at = EXCLUDED.updated_at`,
      [changed.mailboxId, changed.orgId, owner, changed.emailAddress, new Date(changed.changedAt)],
    );
    if (owner) await m.query(`UPDATE app.feed_item SET owner_user_id = $2 WHERE mailbox_id = $1 AND owner_user_id IS NULL`, [changed.mailboxId, owner]);
  }

  /** True when a new row was inserted. */
  private async apply(m: EntityManager, eventId: string, topic: string, payload: { orgId: string }, projection: Projection): Promise<boolean> {
    if ('skip' in projection) return false;
    if ('waitFor' in projection) {
      const [{ n }] = (await m.query(`SELECT count(*)::int AS n FROM app.feed_pending WHERE waits_for = $1`, [projection.waitFor])) as { n: number }[];
      if (n >= MAX_PENDING_PER_KEY) throw new Error(`more than ${MAX_PENDING_PER_KEY} feed events wait for ${projection.waitFor}`);
      await m.query(`INSERT INTO app.feed_pending (event_id, org_id, waits_for, topic, payload) VALUES ($1, $2, $3, $4, $5) ON CONFLICT (event_id) DO NOTHING`, [
        eventId,
        payload.orgId,
        projection.waitFor,
        topic,
        JSON.stringify(payload),
      ]);
      return false;
    }
    if (!(await this.insert(m, projection.item))) return false;
    const released = [projection.item.kind === 'sent' ? waitKey.sent(projection.item.sourceId) : null, waitKey.cause(projection.item.sourceId)].filter((k): k is string => k !== null);
    for (const key of released) await this.release(m, key);
    return true;
  }

  /** Projects the events that waited for `key`, in arrival order (they may wait again, for something else). */
  private async release(m: EntityManager, key: string): Promise<void> {
    const waiting = (await m.query(`WITH released AS (DELETE FROM app.feed_pending WHERE waits_for = $1 RETURNING event_id, topic, payload, created_at) SELECT * FROM released`, [key])) as {
      event_id: string;
      topic: string;
      payload: unknown;
      created_at: Date;
    }[];
    waiting.sort((a, b) => a.created_at.getTime() - b.created_at.getTime());
    for (const w of waiting) await this.replay(m, w.event_id, w.topic as FeedTopic['name'], w.payload);
  }

  private async replay(m: EntityManager, eventId: string, topic: FeedTopic['name'], payload: unknown): Promise<void> {
    switch (topic) {
      case trackingEngagementTopic.name:
        return this.onEngagement(m, eventId, payload as TrackingEngagement);
      case trackingEngagementCorrectedTopic.name:
        return this.onCorrection(m, eventId, payload as TrackingEngagementCorrected);
      case replyDetectedTopic.name:
        return this.onReply(m, eventId, payload as ReplyDetected);
      case emailBouncedTopic.name:
        return this.onBounce(m, eventId, payload as EmailBounced);
      case campaignStopTopic.name:
        return this.onStop(m, eventId, payload as CampaignStop);
      default:
        throw new Error(`feed: no replay for ${topic}`);
    }
  }

  /** Re-entrant within the transaction: replays of waiting events take it again at no cost. */
  private async serialise(m: EntityManager): Promise<void> {
    await m.query(`SELECT pg_advisory_xact_lock($1)`, [FEED_LOCK]);
  }

  /** Inserts the row (once per event id) and notifies the streams at commit; false if it was there. */
  private async insert(m: EntityManager, item: NewFeedItem): Promise<boolean> {
    const rows = (await m.query(
      `INSERT INTO app.feed_item (event_id, source_id, org_id, kind, occurred_at, owner_user_id, mailbox_id, sequence_id, enrollment_id, sent_email_id,
         person_address, person_name, company, machine, machine_reasons, detail, summary)
       VALUES ($1, $2, $3, $4, $5, (SELECT owner_user_id FROM app.feed_mailbox WHERE mailbox_id = $6), $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)
       ON CONFLICT (event_id) DO NOTHING RETURNING id`,
      [
        item.eventId,
        item.sourceId,
        item.orgId,
        item.kind,
        new Date(item.occurredAt),
        item.mailboxId,
        item.sequenceId,
        item.enrollmentId,
        item.sentEmailId,
        item.person?.address ?? null,
        item.person?.name ?? null,
        item.company,
        item.machine,
        item.machineReasons,
        JSON.stringify(item.detail),
        item.summary,
      ],
    )) as { id: string }[];
    if (rows.length === 0) return false;
    await m.query(`SELECT pg_notify($1, $2)`, [FEED_CHANNEL, String(rows[0]!.id)]);
    return true;
  }

  private async sentFacts(m: EntityManager, orgId: string, sentEmailId: string): Promise<SentFacts | null> {
    const [row] = (await m.query(
      `SELECT sent_email_id, mailbox_id, sequence_id, enrollment_id, subject, to_address, to_name, human_opens FROM app.feed_sent_email WHERE sent_email_id = $1 AND org_id = $2`,
      [sentEmailId, orgId],
    )) as { sent_email_id: string; mailbox_id: string; sequence_id: string | null; enrollment_id: string | null; subject: string; to_address: string; to_name: string | null; human_opens: number }[];
    if (!row) return null;
    return {
      sentEmailId: row.sent_email_id,
      mailboxId: row.mailbox_id,
      sequenceId: row.sequence_id,
      enrollmentId: row.enrollment_id,
      subject: row.subject,
      to: { address: row.to_address, name: row.to_name },
      humanOpens: row.human_opens,
    };
  }

  private async causeFacts(m: EntityManager, orgId: string, sourceId: string): Promise<CauseFacts | null> {
    const [row] = (await m.query(`SELECT kind, person_address, person_name FROM app.feed_item WHERE org_id = $1 AND source_id = $2 LIMIT 1`, [orgId, sourceId])) as {
      kind: CauseFacts['kind'];
      person_address: string | null;
      person_name: string | null;
    }[];
    if (!row) return null;
    return { kind: row.kind, person: row.person_address ? { address: row.person_address, name: row.person_name } : null };
  }

  /** A page of history, newest first, before `cursor` (an id). */
  async page(filter: FeedFilter, cursor: string | null, limit: number): Promise<FeedRow[]> {
    const params: unknown[] = [];
    const where = feedWhere(filter, params);
    const before = cursor ? ` AND f.id < $${params.push(cursor)}` : '';
    return (await this.runtime.dataSource.query(`SELECT ${COLUMNS} FROM app.feed_item f WHERE ${where}${before} ORDER BY f.id DESC LIMIT $${params.push(limit)}`, params)) as FeedRow[];
  }

  /** Rows after `afterId` matching the filter, oldest first (a stream's replay), at most `limit`. */
  async after(filter: FeedFilter, afterId: string, limit: number): Promise<FeedRow[]> {
    const params: unknown[] = [];
    const where = feedWhere(filter, params);
    return (await this.runtime.dataSource.query(`SELECT ${COLUMNS} FROM app.feed_item f WHERE ${where} AND f.id > $${params.push(afterId)} ORDER BY f.id LIMIT $${params.push(limit)}`, params)) as FeedRow[];
  }

  /** The newest rows matching the filter, oldest first (a replay that was too far behind). */
  async latest(filter: FeedFilter, limit: number): Promise<FeedRow[]> {
    return (await this.page(filter, null, limit)).reverse();
  }

  /** Every org's rows after `afterId`, oldest first: what FeedHub fans out. */
  async allAfter(afterId: string, limit: number): Promise<FeedRow[]> {
    return (await this.runtime.dataSource.query(`SELECT ${COLUMNS} FROM app.feed_item f WHERE f.id > $1 ORDER BY f.id LIMIT $2`, [afterId, limit])) as FeedRow[];
  }

  async lastId(): Promise<string> {
    const [row] = (await this.runtime.dataSource.query(`SELECT COALESCE(max(id), 0)::text AS id FROM app.feed_item`)) as { id: string }[];
    return row!.id;
  }
}
