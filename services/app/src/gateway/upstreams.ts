/** Which service owns each public API path (`/api` stripped), first match wins. */
export type Upstream = 'sequencer' | 'sender' | 'tracker' | 'mailbox-sync' | 'reply-detector' | 'crm-writer' | 'content';

const ROUTES: readonly [RegExp, Upstream][] = [
  [/^\/v1\/enrollments\/[^/]+\/verdicts$/, 'reply-detector'],
  // Before the sender's /v1/emails/:id: the engagement of many emails at once (?ids=…).
  [/^\/v1\/emails\/engagement$/, 'tracker'],
  [/^\/v1\/emails\/[^/]+\/engagement$/, 'tracker'],
  [/^\/v1\/(device-registrations|office-ranges)$/, 'tracker'],
  [/^\/v1\/users\/[^/]+\/devices(\/[^/]+)?$/, 'tracker'],
  // Lists, edits, pause/resume, batch enrollment, the suppression list, mailboxes' daily caps: everything under these.
  [/^\/v1\/(sequences|enrollments|suppressions|mailbox-caps)(\/.*)?$/, 'sequencer'],
  // The list (?enrollmentId=&mailboxId=&cursor=&limit=) and one email.
  [/^\/v1\/emails(\/[^/]+)?$/, 'sender'],
  [/^\/v1\/mailboxes(\/.*)?$/, 'mailbox-sync'],
  // The organisation's Salesforce connection: status, connect (OAuth or JWT), disconnect, pre-flight.
  [/^\/v1\/salesforce(\/.*)?$/, 'crm-writer'],
  [/^\/v1\/documents(\/.*)?$/, 'content'],
];

export function upstreamFor(path: string): Upstream | null {
  for (const [pattern, upstream] of ROUTES) if (pattern.test(path)) return upstream;
  return null;
}
