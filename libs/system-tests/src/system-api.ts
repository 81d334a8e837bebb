/** Helpers the end-to-end tests share to drive the services' REST APIs as a user of one org would. */
import { sharedLocalIdentity } from '@telltale/runtime';
import { eventually } from '@telltale/testing';

export function requiredEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the suite with \`npm test\` (it starts PostgreSQL, Kafka and GreenMail)`);
  return value;
}

export interface ApiResponse {
  status: number;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  body: any;
}

/**
 * A JSON request as the org's user (an admin, signed by the process's local identity, which the
 * services started by `startTelltaleSystem` verify): GET without a body, POST with one unless
 * `method` says otherwise.
 */
export async function callApi(base: string, path: string, orgId: string, init: { method?: string; body?: unknown } = {}): Promise<ApiResponse> {
  const res = await fetch(`${base}${path}`, {
    method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
    headers: { 'content-type': 'application/json', ...(await (await sharedLocalIdentity()).headers(orgId)) },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

/** `POST /v1/mailboxes` body for a mailbox on the suite's GreenMail (IMAP + SMTP, any password). */
export function sandboxMailbox(address: string, password = 'sandbox-password'): Record<string, unknown> {
  const host = requiredEnv('MAIL_HOST');
  return {
    provider: 'imap',
    emailAddress: address,
    imap: { host, port: Number(requiredEnv('IMAP_PORT')), secure: false },
    smtp: { host, port: Number(requiredEnv('SMTP_PORT')), secure: false },
    username: address,
    password,
  };
}

/**
 * `POST /v1/sequences/:id/enrollments`, asked again while the sequencer does not know the mailbox yet
 * (404 mailbox_not_found): it learns of a mailbox from mailbox.connection-changed.v1, normally well
 * within a second of its connection. Any other answer is returned as it is.
 */
export async function enrollWhenMailboxKnown(sequencerUrl: string, sequenceId: string, orgId: string, body: Record<string, unknown>): Promise<ApiResponse> {
  return eventually(
    `the sequencer knows mailbox ${String(body.mailboxId)}`,
    async () => {
      const answer = await callApi(sequencerUrl, `/v1/sequences/${sequenceId}/enrollments`, orgId, { body });
      return answer.status === 404 && answer.body?.error === 'mailbox_not_found' ? undefined : answer;
    },
    { timeoutMs: 30_000, intervalMs: 100 },
  );
}
