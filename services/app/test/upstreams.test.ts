import { test } from 'node:test';
import assert from 'node:assert/strict';
import { upstreamFor, type Upstream } from '../src/gateway/upstreams';

/** Which service the gateway forwards each public path to (`/api` stripped; first match wins). */
const ID = '00000000-0000-4000-8000-000000000000';
const cases: [string, Upstream | null][] = [
  ['/v1/sequences', 'sequencer'],
  [`/v1/sequences/${ID}`, 'sequencer'],
  [`/v1/sequences/${ID}/enrollments`, 'sequencer'],
  [`/v1/sequences/${ID}/enrollments/batch`, 'sequencer'],
  ['/v1/enrollments', 'sequencer'],
  [`/v1/enrollments/${ID}`, 'sequencer'],
  [`/v1/enrollments/${ID}/explain`, 'sequencer'],
  ['/v1/suppressions', 'sequencer'],
  [`/v1/suppressions/${ID}/lift`, 'sequencer'],
  [`/v1/enrollments/${ID}/pause`, 'sequencer'],
  [`/v1/enrollments/${ID}/resume`, 'sequencer'],
  [`/v1/enrollments/${ID}/stop`, 'sequencer'],
  [`/v1/enrollments/${ID}/verdicts`, 'reply-detector'],
  ['/v1/emails', 'sender'],
  [`/v1/emails/${ID}`, 'sender'],
  // The batch engagement summary is the tracker's, although /v1/emails/:id is the sender's.
  ['/v1/emails/engagement', 'tracker'],
  [`/v1/emails/${ID}/engagement`, 'tracker'],
  ['/v1/device-registrations', 'tracker'],
  ['/v1/office-ranges', 'tracker'],
  [`/v1/users/${ID}/devices`, 'tracker'],
  [`/v1/users/${ID}/devices/${ID}`, 'tracker'],
  ['/v1/mailboxes', 'mailbox-sync'],
  [`/v1/mailbox-caps/${ID}`, 'sequencer'],
  [`/v1/mailboxes/${ID}/reconnect`, 'mailbox-sync'],
  ['/v1/salesforce/connection', 'crm-writer'],
  ['/v1/salesforce/connection/oauth/callback', 'crm-writer'],
  ['/v1/salesforcex', null],
  ['/v1/documents', 'content'],
  ['/v1/documents/5b0c6a52-8f8e-4a57-9b8e-2a7d3f1c0e11/versions', 'content'],
  ['/v1/documentsx', null],
  ['/v1/unknown', null],
  ['/internal/v1/send-requests', null],
  [`/v1/emails/${ID}/engagement/extra`, null],
];

for (const [path, upstream] of cases) {
  test(`gateway: ${path} goes to ${upstream ?? 'no service'}`, () => {
    assert.equal(upstreamFor(path), upstream);
  });
}
