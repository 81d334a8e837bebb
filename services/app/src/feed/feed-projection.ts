import type { CampaignStop, EmailBounced, EnrollmentPauseChanged, EmailSendFailed, EmailSent, ReplyDetected, TrackingEngagement, TrackingEngagementCorrected } from '@telltale/contracts';
import { loadFreeMailDomains } from '@telltale/mail';

/**
 * What the live feed shows (issue 13): one row per thing that happened to an email a rep sent, in
 * words a rep reads at a glance. Pure: the consumer looks up what an event does not carry (the
 * email it is about, the reply that caused a stop) and hands it in as `FeedFacts`.
 */
export const FEED_KINDS = ['sent', 'opened', 'clicked', 'replied', 'auto_reply', 'bounced', 'stopped', 'paused', 'resumed', 'send_failed'] as const;
export type FeedKind = (typeof FEED_KINDS)[number];

export interface Person {
  address: string;
  name: string | null;
}

/** The email an event is about, as email.sent.v1 described it (app.feed_sent_email). */
export interface SentFacts {
  sentEmailId: string;
  mailboxId: string;
  sequenceId: string | null;
  enrollmentId: string | null;
  subject: string;
  to: Person;
  humanOpens: number;
}

/** A row to insert into app.feed_item (its id and owner are the store's). */
export interface NewFeedItem {
  eventId: string;
  /** The payload's own id (sentEmailId, engagementId, replyId, bounceId, stopId, sendRequestId): what a stop's causeId names. */
  sourceId: string;
  orgId: string;
  kind: FeedKind;
  occurredAt: string;
  mailboxId: string | null;
  sequenceId: string | null;
  enrollmentId: string | null;
  sentEmailId: string | null;
  person: Person | null;
  company: string | null;
  machine: boolean;
  machineReasons: string[];
  detail: Record<string, unknown>;
  summary: string;
}

/** What a projection needs but is not in the event yet: the store holds the event until it is. */
export type Projection = { item: NewFeedItem } | { waitFor: string } | { skip: string };

export const waitKey = {
  sent: (sentEmailId: string) => `sent:${sentEmailId}`,
  cause: (sourceId: string) => `cause:${sourceId}`,
  /** A correction waits for the item of the hit it corrects (projected with the hit's engagementId as its source). */
  corrected: (engagementId: string) => `cause:${engagementId}`,
};

let freeMail: ReadonlySet<string> | null = null;

/** The person's company for grouping: their address's domain, none for free-mail addresses (gmail.com is not a company). */
export function companyOf(address: string | null | undefined): string | null {
  const domain = address?.split('@')[1]?.toLowerCase();
  if (!domain) return null;
  freeMail ??= loadFreeMailDomains();
  return freeMail.has(domain) ? null : domain;
}

export const nameOf = (p: Person | null): string => (p ? p.name?.trim() || p.address : 'Someone');
const quoted = (subject: string): string => `“${subject.length > 80 ? `${subject.slice(0, 79)}…` : subject}”`;

function base(event: { eventId: string; orgId: string }, sourceId: string, kind: FeedKind, occurredAt: string, sent: SentFacts | null, person: Person | null): NewFeedItem {
  return {
    eventId: event.eventId,
    sourceId,
    orgId: event.orgId,
    kind,
    occurredAt,
    mailboxId: sent?.mailboxId ?? null,
    sequenceId: sent?.sequenceId ?? null,
    enrollmentId: sent?.enrollmentId ?? null,
    sentEmailId: sent?.sentEmailId ?? null,
    person,
    company: companyOf(person?.address),
    machine: false,
    machineReasons: [],
    detail: {},
    summary: '',
  };
}

interface EventIds {
  eventId: string;
  orgId: string;
}

export function projectSent(event: EventIds, sent: EmailSent): Projection {
  const to = sent.to[0]!;
  const facts: SentFacts = { sentEmailId: sent.sentEmailId, mailboxId: sent.mailboxId, sequenceId: sent.sequenceId, enrollmentId: sent.enrollmentId, subject: sent.subject, to, humanOpens: 0 };
  const item = base(event, sent.sentEmailId, 'sent', sent.sentAt, facts, to);
  const others = sent.to.length - 1 + sent.cc.length;
  item.detail = { subject: sent.subject, stepNumber: sent.stepNumber, cc: sent.cc, from: sent.from };
  item.summary = `Sent ${quoted(sent.subject)} to ${nameOf(to)}${others > 0 ? ` (+${others})` : ''}${sent.stepNumber ? `, step ${sent.stepNumber}` : ''}`;
  return { item };
}

/**
 * Opens and clicks. Hits from the rep's own devices and office ranges (`self`, `internal`) are not
 * the prospect: they never enter the feed. Machines (privacy prefetch, mail proxies, scanners, link
 * previews) are kept, flagged, and hidden unless asked for.
 */
export function projectEngagement(event: EventIds, hit: TrackingEngagement, sent: SentFacts | null): Projection {
  const label = hit.classification.label;
  if (label === 'self' || label === 'internal') return { skip: `a ${label} hit is the sender's own` };
  if (!sent) return { waitFor: waitKey.sent(hit.sentEmailId) };
  const item = base(event, hit.engagementId, hit.type, hit.occurredAt, sent, sent.to);
  item.machine = label !== 'human';
  item.machineReasons = item.machine ? [label, ...hit.classification.reasons] : [];
  item.detail = { subject: sent.subject, label, confidence: hit.classification.confidence, ...(hit.type === 'clicked' ? { url: hit.url, linkIndex: hit.linkIndex } : {}) };
  item.summary = engagementSummary(hit.type, label, sent.to, hit.url, sent.subject);
  return { item };
}

function engagementSummary(type: 'opened' | 'clicked', label: string, person: Person | null, url: string | null, subject: string): string {
  const who = label !== 'human' ? `${machineName(label)} (for ${nameOf(person)})` : nameOf(person);
  return type === 'opened' ? `${who} opened ${quoted(subject)}` : `${who} clicked ${url ? linkText(url) : 'a link'} in ${quoted(subject)}`;
}

/** A feed item of an open or click as stored, for a correction to restyle. */
export interface EngagementItemFacts {
  id: string;
  kind: FeedKind;
  person: Person | null;
  detail: Record<string, unknown>;
}

/** What a corrected item becomes: shown as the machine it was, saying which item it replaces. */
export interface CorrectedItem {
  machine: true;
  machineReasons: string[];
  detail: Record<string, unknown>;
  summary: string;
}

/**
 * An open or click announced as a person's and corrected after the fact (tracking.engagement-corrected.v1,
 * e.g. the first click of a scanner's link burst): the same item, now a machine's, with the reason.
 * The store gives it a new id so open streams receive it; `detail.correction.replaces` names the
 * id it had, which the web app removes.
 */
export function projectCorrection(item: EngagementItemFacts, correction: TrackingEngagementCorrected): CorrectedItem {
  const label = correction.classification.label;
  const url = typeof item.detail.url === 'string' ? item.detail.url : null;
  const subject = typeof item.detail.subject === 'string' ? item.detail.subject : '';
  return {
    machine: true,
    machineReasons: [label, ...correction.classification.reasons],
    detail: {
      ...item.detail,
      label,
      confidence: correction.classification.confidence,
      correction: { replaces: item.id, previousLabel: correction.previousLabel, correctedAt: correction.correctedAt },
    },
    summary: engagementSummary(item.kind === 'opened' ? 'opened' : 'clicked', label, item.person, url, subject),
  };
}

/** Whether a row is a correction (streams hiding machine activity still get it, to retract the item it replaces). */
export const isCorrection = (detail: Record<string, unknown>): boolean => typeof detail.correction === 'object' && detail.correction !== null;

function machineName(label: string): string {
  switch (label) {
    case 'privacy_prefetch':
      return 'A mail privacy proxy';
    case 'mail_proxy':
      return 'An image proxy';
    case 'security_scanner':
      return 'A security scanner';
    case 'link_preview':
      return 'A link preview';
    default:
      return 'A machine';
  }
}

function linkText(url: string): string {
  try {
    const u = new URL(url);
    const path = u.pathname === '/' ? '' : u.pathname;
    const text = `${u.host}${path}`;
    return text.length > 60 ? `${text.slice(0, 59)}…` : text;
  } catch {
    return 'a link';
  }
}

const RELATION_LABEL: Record<ReplyDetected['relation'], string> = { prospect: '', cc: ' (CC)', colleague: ' (colleague)', other: '' };

export function projectReply(event: EventIds, reply: ReplyDetected, sent: SentFacts | null): Projection {
  if (!sent) return { waitFor: waitKey.sent(reply.sentEmailId) };
  const from = { address: reply.from.address, name: reply.from.name };
  const kind = reply.kind === 'reply' ? 'replied' : 'auto_reply';
  const item = base(event, reply.replyId, kind, reply.receivedAt, { ...sent, sequenceId: reply.sequenceId ?? sent.sequenceId, enrollmentId: reply.enrollmentId ?? sent.enrollmentId }, from);
  item.mailboxId = reply.mailboxId;
  item.detail = {
    subject: sent.subject,
    relation: reply.relation,
    from,
    prospect: sent.to,
    replySubject: reply.subject,
    ...(reply.returnDate ? { returnDate: reply.returnDate } : {}),
    ...(kind === 'replied' && sent.humanOpens === 0 ? { imagesProbablyBlocked: true } : {}),
  };
  const who = `${nameOf(from)}${RELATION_LABEL[reply.relation]}`;
  item.summary =
    kind === 'replied'
      ? `${who} replied`
      : reply.returnDate
        ? `${who} is out of office until ${reply.returnDate}`
        : `${who} sent an automatic reply`;
  return { item };
}

export function projectBounce(event: EventIds, bounce: EmailBounced, sent: SentFacts | null): Projection {
  if (!sent) return { waitFor: waitKey.sent(bounce.sentEmailId) };
  const person = bounce.recipient ? { address: bounce.recipient.toLowerCase(), name: bounce.recipient.toLowerCase() === sent.to.address ? sent.to.name : null } : sent.to;
  const item = base(event, bounce.bounceId, 'bounced', bounce.detectedAt, sent, person);
  item.mailboxId = bounce.mailboxId;
  item.detail = { subject: sent.subject, severity: bounce.severity, statusCode: bounce.statusCode, reason: bounce.diagnostic };
  item.summary = `${quoted(sent.subject)} to ${nameOf(person)} bounced (${bounce.severity === 'hard' ? 'permanent' : 'temporary'}${bounce.statusCode ? `, ${bounce.statusCode}` : ''})`;
  return { item };
}

/** The item that caused a stop (the reply or the bounce), when the stop names one. */
export interface CauseFacts {
  kind: FeedKind;
  person: Person | null;
}

export function projectStop(event: EventIds, stop: CampaignStop, sent: SentFacts | null, cause: CauseFacts | null): Projection {
  if (stop.sentEmailId && !sent) return { waitFor: waitKey.sent(stop.sentEmailId) };
  // reply-detector publishes the reply or bounce with the stop; show the stop after it, naming who.
  if ((stop.reason === 'replied' || stop.reason === 'bounced' || stop.reason === 'company_replied') && !cause) return { waitFor: waitKey.cause(stop.causeId) };
  const person = cause?.person ?? sent?.to ?? null;
  const item = base(event, stop.stopId, 'stopped', stop.occurredAt, sent, sent?.to ?? null);
  item.enrollmentId = stop.enrollmentId;
  item.detail = { reason: stop.reason, causeId: stop.causeId, ...(sent ? { subject: sent.subject } : {}) };
  const why: Record<CampaignStop['reason'], string> = {
    replied: `${nameOf(person)} replied`,
    company_replied: `${nameOf(person)} at ${companyOf(person?.address) ?? 'the same company'} replied`,
    bounced: `the email to ${nameOf(sent?.to ?? person)} bounced`,
    unsubscribed: `${nameOf(sent?.to ?? person)} unsubscribed`,
    manual: 'stopped by hand',
  };
  item.summary = `Campaign stopped: ${why[stop.reason]}`;
  return { item };
}

/**
 * A pause or a resume (enrollment.pause-changed.v1): "Campaign paused for Kevin Flynn: out of office
 * until 2026-12-14". Times stay ISO in the summary; the web app writes them in the viewer's words.
 */
export function projectPauseChange(event: EventIds, change: EnrollmentPauseChanged): Projection {
  const person = { address: change.prospect.address, name: change.prospect.name };
  const kind = change.change === 'paused' ? 'paused' : 'resumed';
  const item = base(event, change.changeId, kind, change.occurredAt, null, person);
  item.mailboxId = change.mailboxId;
  item.sequenceId = change.sequenceId;
  item.enrollmentId = change.enrollmentId;
  const who = nameOf(person);
  if (change.change === 'paused') {
    item.detail = { change: 'paused', reason: change.reason, until: change.until, returnDate: change.returnDate, causeId: change.causeId, ...(change.reasonDetail ? { reasonDetail: change.reasonDetail } : {}) };
    const until = change.until ? ` until ${change.until}` : ' until someone resumes it';
    // A step template lacking a variable (issue 15): what was not sent and why, not "by hand".
    const why = change.reasonDetail
      ? `: step ${change.reasonDetail.stepNumber} was not sent, ${change.reasonDetail.message}; paused${until}`
      : change.reason === 'out_of_office'
        ? `: out of office until ${change.returnDate ?? change.until ?? 'they are back'}`
        : change.reason === 'company_replied'
          ? `: someone at ${companyOf(person.address) ?? 'the same company'} replied; paused${until}`
          : ` by hand${until}`;
    item.summary = `Campaign paused for ${who}${why}`;
  } else {
    item.detail = { change: 'resumed', reason: change.reason, nextDueAt: change.nextDueAt };
    item.summary = `Campaign resumed for ${who}${change.reason === 'pause_over' ? ': the pause is over' : ' by hand'}${change.nextDueAt ? `; the next step is due ${change.nextDueAt}` : ''}`;
  }
  return { item };
}

const SEND_FAILURE_TEXT: Record<EmailSendFailed['code'], string> = {
  RATE_LIMITED: 'the mailbox provider is rate limiting',
  AUTH_REVOKED: 'the mailbox needs to be reconnected',
  INSUFFICIENT_PERMISSIONS: 'the mailbox lacks permission to send',
  TEMPORARY: 'a temporary provider error',
  PERMANENT: 'the provider refused it',
  ENROLLMENT_NOT_ACTIVE: 'the enrollment had stopped',
  EXPIRED: 'it waited too long to be sent',
  MAILBOX_NOT_CONNECTED: 'the mailbox is not connected',
};

/** A send the sender skipped because the enrollment had stopped is not a failure: the stop is already in the feed. */
export function projectSendFailed(event: EventIds, failed: EmailSendFailed): Projection {
  if (failed.code === 'ENROLLMENT_NOT_ACTIVE') return { skip: 'the enrollment had stopped' };
  const item = base(event, failed.sendRequestId, 'send_failed', failed.failedAt, null, null);
  item.mailboxId = failed.mailboxId;
  item.enrollmentId = failed.enrollmentId;
  item.detail = { code: failed.code, reason: failed.reason, stepNumber: failed.stepNumber, ...(failed.retryNotBefore ? { retryNotBefore: failed.retryNotBefore } : {}) };
  item.summary = `Email not sent${failed.stepNumber ? ` (step ${failed.stepNumber})` : ''}: ${SEND_FAILURE_TEXT[failed.code]}`;
  return { item };
}
