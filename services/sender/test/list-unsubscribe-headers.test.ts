import { test } from 'node:test';
import assert from 'node:assert/strict';
import { composeOutboundMessage } from '@telltale/mail';
import { generateSigningKeySpec, parseSigningKeys, verifyUnsubscribeToken } from '@telltale/tracking';
import { TrackedEmailRenderer } from '../src/sending/tracked-email-renderer';

const keys = parseSigningKeys(generateSigningKeySpec('k1'));
const acme = '3f1c9a52-7d3e-4c1b-9a55-0e6f2b7c8d90';
const renderer = new TrackedEmailRenderer(keys, 'https://t.telltale.example', new Map([[acme, 'https://t.acme.example']]));
const enrollmentId = '9b2e4c1a-5f6d-4e7a-8b9c-0d1e2f3a4b5c';

/** The header fields of a composed message, unfolded (RFC 5322 §2.2.3). */
function headerFields(raw: Buffer): Map<string, string> {
  const head = raw.toString('utf8').split('\r\n\r\n')[0]!.replace(/\r\n[ \t]+/g, ' ');
  return new Map(head.split('\r\n').map((line) => [line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]));
}

test('a sequence email carries List-Unsubscribe (signed https URL on the org tracking domain) and List-Unsubscribe-Post', async () => {
  const headers = renderer.listUnsubscribeHeaders({ orgId: acme, enrollmentId, address: 'Jo@Prospect.test', issuedAt: new Date('2026-12-08T01:00:00Z') });
  const composed = await composeOutboundMessage({
    from: { address: 'rep@acme.test', name: 'Rep' },
    to: [{ address: 'jo@prospect.test', name: null }],
    cc: [],
    subject: 'Hello',
    html: null,
    text: 'Hi',
    messageIdDomain: 'acme.test',
    headers,
  });
  const fields = headerFields(composed.raw);
  assert.equal(fields.get('list-unsubscribe-post'), 'List-Unsubscribe=One-Click');
  const value = fields.get('list-unsubscribe') ?? '';
  const match = /^<(https:\/\/t\.acme\.example\/u\/([A-Za-z0-9_-]+))>$/.exec(value);
  assert.ok(match, `List-Unsubscribe is one https URI in angle brackets (RFC 2369): ${value}`);
  const verified = verifyUnsubscribeToken(match[2]!, keys);
  assert.deepEqual(verified.ok && { ...verified.claims, issuedAt: verified.claims.issuedAt.toISOString() }, {
    orgId: acme,
    enrollmentId,
    address: 'jo@prospect.test',
    issuedAt: '2026-12-08T01:00:00.000Z',
  });
});

test('an organisation without its own tracking domain gets the default one', () => {
  const headers = renderer.listUnsubscribeHeaders({ orgId: '00000000-0000-4000-8000-000000000001', enrollmentId, address: 'a@b.test', issuedAt: new Date() });
  assert.match(headers['List-Unsubscribe']!, /^<https:\/\/t\.telltale\.example\/u\/[A-Za-z0-9_-]+>$/);
});
