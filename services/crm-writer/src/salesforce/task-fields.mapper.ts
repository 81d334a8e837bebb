import type { TaskActivity } from './salesforce-activity.types';

/** The org's custom External ID field on Task that makes logging idempotent. */
export const ACTIVITY_KEY_FIELD = 'Telltale_Activity_Key__c';

/** Task.Subject is 255 characters, Task.Description 32,000 (Object Reference, Task). */
export const TASK_SUBJECT_MAX = 255;
export const TASK_DESCRIPTION_MAX = 32000;

export type TaskFields = Record<string, string>;

/**
 * The Task fields for one activity. Text is cut to the field limits rather than
 * failing with STRING_TOO_LONG, which no retry could fix.
 */
export function buildTaskFields(activity: TaskActivity, whoId: string | null, ownerId: string | null): TaskFields {
  const fields: TaskFields = {
    [ACTIVITY_KEY_FIELD]: activity.activityKey,
    Subject: truncate(activity.subject, TASK_SUBJECT_MAX),
    Description: truncate(activity.description, TASK_DESCRIPTION_MAX),
    ActivityDate: activity.activityDate,
    Status: activity.status,
    TaskSubtype: activity.taskSubtype,
  };
  if (whoId !== null) fields.WhoId = whoId;
  if (ownerId !== null) fields.OwnerId = ownerId;
  return fields;
}

/** Cuts to at most `max` UTF-16 units, never splitting a surrogate pair, marking the cut with an ellipsis. */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = max - 1;
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end -= 1;
  return `${text.slice(0, end)}…`;
}
