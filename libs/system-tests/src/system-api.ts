/** Helpers the end-to-end tests share to drive the services' REST APIs as a user of one org would. */
import { sharedLocalIdentity } from '@telltale/runtime';

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
