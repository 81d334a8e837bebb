/** Which service owns each public API path (`/api` stripped), first match wins. */
export type Upstream = 'sequencer' | 'sender' | 'tracker' | 'mailbox-sync' | 'reply-detector';

const ROUTES: readonly [RegExp, Upstream][] = [
  [/^\/v1\/enrollments\/[^/]+\/verdicts$/, 'reply-detector'],
  [/^\/v1\/emails\/[^/]+\/engagement$/, 'tracker'],
  [/^\/v1\/(device-registrations|office-ranges)$/, 'tracker'],
  [/^\/v1\/users\/[^/]+\/devices(\/[^/]+)?$/, 'tracker'],
  [/^\/v1\/(sequences|enrollments)(\/.*)?$/, 'sequencer'],
  [/^\/v1\/emails(\/[^/]+)?$/, 'sender'],
  [/^\/v1\/mailboxes(\/.*)?$/, 'mailbox-sync'],
];

export function upstreamFor(path: string): Upstream | null {
  for (const [pattern, upstream] of ROUTES) if (pattern.test(path)) return upstream;
  return null;
}
