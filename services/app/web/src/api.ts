/** The authenticated API as the browser calls it: session cookie, CSRF token on every change. */
import { fieldErrorsOf, friendlyIssue, type Issue } from './field-errors';

export type { Issue } from './field-errors';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly issues: Issue[],
    /** The whole error body, for facts beyond the message (e.g. `stepsInUse` of a 409). */
    readonly body: Record<string, unknown> = {},
  ) {
    super(message);
  }

  /** The issues whose path starts with `prefix` (e.g. `imap.host`), keyed by the rest of the path, in people's words. */
  fieldErrors(prefix = ''): Record<string, string> {
    return fieldErrorsOf(this.issues, prefix);
  }
}

let csrfToken: string | null = null;

export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

/** The CSRF header for a change sent another way than api() (a file upload with progress). */
export function csrfHeaders(): Record<string, string> {
  return csrfToken ? { 'x-csrf-token': csrfToken } : {};
}

function describe(status: number, body: { error?: string; message?: string; issues?: Issue[] } | null): string {
  if (body?.message) return body.message;
  if (body?.issues?.length) return body.issues.map((i) => `${i.path}: ${friendlyIssue(i)}`).join('; ');
  if (body?.error) return body.error.replace(/_/g, ' ');
  return `The server answered ${status}.`;
}

export async function api<T>(path: string, init: { method?: string; body?: unknown } = {}): Promise<T> {
  const method = init.method ?? 'GET';
  const headers: Record<string, string> = { accept: 'application/json' };
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  if (method !== 'GET' && csrfToken) headers['x-csrf-token'] = csrfToken;
  let res: Response;
  try {
    res = await fetch(path, { method, headers, body: init.body === undefined ? undefined : JSON.stringify(init.body), credentials: 'same-origin' });
  } catch {
    throw new ApiError(0, 'network', 'Telltale cannot be reached. Check your connection and try again.', []);
  }
  const text = await res.text();
  let body: unknown = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = null;
  }
  if (!res.ok) {
    const b = body as { error?: string; message?: string; issues?: Issue[] } | null;
    throw new ApiError(res.status, b?.error ?? 'error', describe(res.status, b), Array.isArray(b?.issues) ? b.issues : [], (b ?? {}) as Record<string, unknown>);
  }
  return body as T;
}

export interface Me {
  user: { id: string; email: string; name: string | null; role: 'rep' | 'manager' | 'admin' } | null;
  organization: { id: string; name: string } | null;
  csrfToken: string | null;
}

export interface Mailbox {
  id: string;
  ownerUserId: string | null;
  emailAddress: string;
  provider: string;
  state: string;
  lastError: string | null;
  replyTracking?: string;
  /** IMAP: 'all' (every folder a reply can land in) or the folders picked. */
  folders?: 'all' | string[];
  imap?: { host: string; port: number; secure: boolean } | null;
}

export interface SequenceStep {
  stepNumber: number;
  delaySeconds: number;
  subject: string | null;
  inThread: boolean;
  html: string | null;
  text: string | null;
}

export interface Sequence {
  id: string;
  name: string;
  ownerUserId: string | null;
  steps: SequenceStep[];
  createdAt: string;
}

export interface Enrollment {
  id: string;
  sequenceId: string;
  mailboxId: string;
  prospect: { address: string; name: string | null };
  cc: { address: string; name: string | null }[];
  state: string;
  nextStepNumber: number;
  nextDueAt: string | null;
  pausedUntil: string | null;
  stopReason: string | null;
  endedAt: string | null;
  steps: { stepNumber: number; sendRequestId: string; status: string; requestedAt: string; sentAt: string | null; messageId: string | null }[];
  history: { transition: string; from: string | null; to: string; at: string; detail: unknown }[];
}

export interface Explanation {
  answer: string;
  stopped: boolean;
  replies: { replyId: string; kind: string; relation: string | null; from: string | null; effect: string; why: string; at: string }[];
}

export interface FeedItem {
  id: string;
  kind: string;
  occurredAt: string;
  ownerUserId: string | null;
  sequenceId: string | null;
  enrollmentId: string | null;
  sentEmailId: string | null;
  person: { address: string; name: string | null } | null;
  company: string | null;
  machine: boolean;
  machineReasons: string[];
  detail: { relation?: string | null; returnDate?: string | null; severity?: string | null; reason?: string | null; url?: string | null; imagesProbablyBlocked?: boolean } | null;
  summary: string;
}
