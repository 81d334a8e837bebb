import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateSigningKeySpec, parseSigningKeys, verifyTrackingToken } from '@telltale/tracking';
import { TrackedEmailRenderer } from '../src/sending/tracked-email-renderer';

const keys = parseSigningKeys(generateSigningKeySpec('r1'));
const acme = '11111111-1111-4111-8111-111111111111';
const other = '22222222-2222-4222-8222-222222222222';
const renderer = new TrackedEmailRenderer(keys, 'https://t.telltale.example', new Map([[acme, 'https://t.acme.example']]));

function render(orgId: string) {
  return renderer.render({
    orgId,
    sentEmailId: '33333333-3333-4333-8333-333333333333',
    html: '<p>Hi</p><p><a href="https://example.com/pricing">pricing</a></p>',
    text: null,
    trackOpens: true,
    trackClicks: true,
    issuedAt: new Date('2026-11-27T09:00:00Z'),
  });
}

test("an org with its own tracking domain gets pixel and click URLs on it", () => {
  const { html } = render(acme);
  assert.match(html ?? '', /src="https:\/\/t\.acme\.example\/o\/[A-Za-z0-9_-]+"/);
  assert.match(html ?? '', /href="https:\/\/t\.acme\.example\/c\/[A-Za-z0-9_-]+"/);
  assert.doesNotMatch(html ?? '', /t\.telltale\.example/);
  const token = /\/o\/([A-Za-z0-9_-]+)/.exec(html ?? '')![1]!;
  assert.equal(verifyTrackingToken(token, keys, { now: new Date('2026-11-27T10:00:00Z') }).ok, true);
});

test('other orgs use the shared tracking base URL', () => {
  const { html } = render(other);
  assert.match(html ?? '', /src="https:\/\/t\.telltale\.example\/o\//);
  assert.doesNotMatch(html ?? '', /t\.acme\.example/);
});
