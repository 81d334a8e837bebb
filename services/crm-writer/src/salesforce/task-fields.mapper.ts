import type { SalesforceRecord } from './salesforce-activity.gateway';

/** The org's custom External ID field on Task that makes logging idempotent (unique, case-insensitive). */
export const ACTIVITY_KEY_FIELD = 'Telltale_Activity_Key__c';

/** Task.Subject is 255 characters, Task.Description 32,000 (Object Reference, Task). */
export const TASK_SUBJECT_MAX = 255;
export const TASK_DESCRIPTION_MAX = 32000;
/** Our custom text fields are 255 characters (deploy/salesforce/). */
const CUSTOM_TEXT_MAX = 255;

/** Telltale's custom Task fields (the package under deploy/salesforce/). */
export const TASK_FIELDS = {
  direction: 'Telltale_Direction__c',
  messageId: 'Telltale_Message_Id__c',
  replyRelation: 'Telltale_Reply_Relation__c',
  sequence: 'Telltale_Sequence__c',
  step: 'Telltale_Step__c',
  opens: 'Telltale_Opens__c',
  clicks: 'Telltale_Clicks__c',
  lastEngaged: 'Telltale_Last_Engaged__c',
  bounced: 'Telltale_Bounced__c',
  bounceDetail: 'Telltale_Bounce_Detail__c',
  outOfOffice: 'Telltale_Out_Of_Office__c',
  outOfOfficeUntil: 'Telltale_Out_Of_Office_Until__c',
} as const;

export interface Address {
  address: string;
  name?: string | null;
}

/** What crm-writer keeps of a sent email until its Task is written (crm_activity.payload). */
export interface SentEmailPayload {
  kind: 'email_sent';
  subject: string;
  from: Address;
  to: Address[];
  cc: Address[];
  messageId: string;
  sequenceId: string | null;
  stepNumber: number | null;
  sentAt: string;
}

/** What crm-writer keeps of a human reply (crm_activity.payload). */
export interface ReplyPayload {
  kind: 'reply';
  subject: string | null;
  snippet: string | null;
  from: Address;
  relation: 'prospect' | 'cc' | 'colleague' | 'other';
  inboundMessageId: string | null;
  sequenceId: string | null;
  receivedAt: string;
}

export type ActivityPayload = SentEmailPayload | ReplyPayload;

/** Who and what the Task is about, and whose it is (the matcher's decision). */
export interface TaskLinks {
  whoId: string | null;
  whatId: string | null;
  ownerId: string | null;
}

/** The sent email a reply answers, for its subject, step and sequence. */
export interface SentContext {
  subject: string;
  stepNumber: number | null;
  sequenceId: string | null;
}

const display = (a: Address) => (a.name ? `${a.name} <${a.address}>` : a.address);

/**
 * The Task for one activity, as an sObject Collections record. Text is cut to the field limits
 * rather than failing with STRING_TOO_LONG, which no retry could fix. TaskSubtype is settable on
 * create only: `withSubtype: false` for a Task that already exists.
 */
export function buildTaskRecord(
  activityKey: string,
  payload: ActivityPayload,
  links: TaskLinks,
  sent: SentContext | null,
  options: { withSubtype: boolean } = { withSubtype: true },
): SalesforceRecord {
  const record: SalesforceRecord = {
    attributes: { type: 'Task' },
    [ACTIVITY_KEY_FIELD]: activityKey,
    Status: 'Completed',
    Priority: 'Normal',
  };
  if (options.withSubtype) record.TaskSubtype = 'Email';
  if (payload.kind === 'email_sent') {
    const recipients = [...payload.to.map(display), ...payload.cc.map((a) => `${display(a)} (cc)`)].join(', ');
    Object.assign(record, {
      Subject: truncate(`Email: ${payload.subject}`, TASK_SUBJECT_MAX),
      Description: truncate(`Sent with Telltale from ${display(payload.from)} to ${recipients}.\nMessage-ID: ${payload.messageId}`, TASK_DESCRIPTION_MAX),
      ActivityDate: payload.sentAt.slice(0, 10),
      [TASK_FIELDS.direction]: 'Outbound',
      [TASK_FIELDS.messageId]: truncate(payload.messageId, CUSTOM_TEXT_MAX),
      [TASK_FIELDS.sequence]: payload.sequenceId,
      [TASK_FIELDS.step]: payload.stepNumber,
    });
  } else {
    const subject = payload.subject ?? sent?.subject ?? '(no subject)';
    Object.assign(record, {
      Subject: truncate(`Reply: ${subject}`, TASK_SUBJECT_MAX),
      Description: truncate(
        `${display(payload.from)} replied (${payload.relation}) to an email sent with Telltale.${payload.snippet ? `\n\n${payload.snippet}` : ''}`,
        TASK_DESCRIPTION_MAX,
      ),
      ActivityDate: payload.receivedAt.slice(0, 10),
      [TASK_FIELDS.direction]: 'Inbound',
      [TASK_FIELDS.messageId]: payload.inboundMessageId ? truncate(payload.inboundMessageId, CUSTOM_TEXT_MAX) : null,
      [TASK_FIELDS.replyRelation]: payload.relation,
      [TASK_FIELDS.sequence]: payload.sequenceId ?? sent?.sequenceId ?? null,
      [TASK_FIELDS.step]: sent?.stepNumber ?? null,
    });
  }
  if (links.whoId) record.WhoId = links.whoId;
  if (links.whatId) record.WhatId = links.whatId;
  if (links.ownerId) record.OwnerId = links.ownerId;
  return record;
}

/** Cuts to at most `max` UTF-16 units, never splitting a surrogate pair, marking the cut with an ellipsis. */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = max - 1;
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end -= 1;
  return `${text.slice(0, end)}…`;
}
