/** The authenticated API as the browser calls it: session cookie, CSRF token on every change. */
export interface Issue {
  path: string;
  message: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly issues: Issue[],
  ) {
    super(message);
  }

  /** The issues whose path starts with `prefix` (e.g. `imap.host`), keyed by the rest of the path. */
  fieldErrors(prefix = ''): Record<string, string> {
    const out: Record<string, string> = {};
    for (const issue of this.issues) {
      if (!issue.path.startsWith(prefix)) continue;
      const key = issue.path.slice(prefix.length).replace(/^\./, '') || '_';
      out[key] ??= issue.message;
    }
    return out;
  }
}

let csrfToken: string | null = null;

export function setCsrfToken(token: string | null): void {
  csrfToken = token;
}

function describe(status: number, body: { error?: string; message?: string; issues?: Issue[] } | null): string {
  if (body?.message) return body.message;
  if (body?.issues?.length) return body.issues.map((i) => `${i.path}: ${i.message}`).join('; ');
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
    throw new ApiError(res.status, b?.error ?? 'error', describe(res.status, b), Array.isArray(b?.issues) ? b.issues : []);
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
  imap?: { host: string; port: number; secure: boolean } | null;
}

export interface SequenceStep {
  stepNumber: number;
  delaySeconds: number;
  subject: string | null;
  inThread: boolean;
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
