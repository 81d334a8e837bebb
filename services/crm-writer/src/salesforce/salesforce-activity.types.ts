import { z } from 'zod';

/** What crm-writer needs to log in to one org through the OAuth 2.0 username-password flow. */
export interface SalesforceCredentials {
  /** https://login.salesforce.com, https://test.salesforce.com, a My Domain URL, or the local sandbox. */
  loginUrl: string;
  /** The connected app's consumer key and secret. */
  clientId: string;
  clientSecret: string;
  username: string;
  /** The user's password, with the security token appended where the org requires one. */
  password: string;
}

/** The Salesforce record an email address belongs to. */
export interface WhoMatch {
  id: string;
  type: 'Contact' | 'Lead';
}

export interface LoggedTask {
  taskId: string;
  whoId: string | null;
  /** False when the Task already existed: a redelivery, a retry, or a concurrent worker. */
  created: boolean;
}

/**
 * The activity key goes into the URL path of the upsert (`…/Task/Telltale_Activity_Key__c/{key}`),
 * which jsforce does not encode. Keep it to characters that need no encoding, and no
 * dots: Salesforce reads a trailing `.json`/`.xml` as a response format ("Upsert Records
 * Using sObject Rows by External ID", note on top-level domains).
 */
export const ACTIVITY_KEY_PATTERN = /^[A-Za-z0-9_:-]{1,255}$/;

const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/)
  .refine((s) => new Date(`${s}T00:00:00Z`).toISOString().startsWith(s), 'not a calendar date');

export const taskActivitySchema = z.object({
  /** Our idempotency key, e.g. `email-sent:<sentEmailId>` or `reply:<replyId>`. */
  activityKey: z.string().regex(ACTIVITY_KEY_PATTERN, 'activity key must match [A-Za-z0-9_:-]{1,255}'),
  whoEmail: z.email(),
  subject: z.string().min(1),
  description: z.string(),
  /** YYYY-MM-DD, the Task's due date (Task.ActivityDate is a date without time). */
  activityDate: isoDate,
  status: z.literal('Completed'),
  taskSubtype: z.literal('Email'),
  /** The rep whose activity this is; the Task is assigned to the active User with this email, if any. */
  ownerEmail: z.email().optional(),
});

export type TaskActivity = z.infer<typeof taskActivitySchema>;

/** An activity that can never be logged as given; retrying it cannot help. */
export class InvalidActivityError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidActivityError';
  }
}

export function parseTaskActivity(input: TaskActivity): TaskActivity {
  const parsed = taskActivitySchema.safeParse(input);
  if (!parsed.success) {
    throw new InvalidActivityError(`invalid Salesforce task activity: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  }
  return parsed.data;
}
