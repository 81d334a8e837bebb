import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { ManualClock } from '@telltale/db';
import { localIdentityHeaders, type StartedService } from '@telltale/runtime';
import { createTestDatabase, startSalesforceSandbox, type SalesforceSandbox } from '@telltale/testing';
import { callApi, requiredEnv, sandboxMailbox, startTelltaleSystem, type TelltaleSystem, servicesOf } from '../src';

/**
 * What every service's HTTP edge does whatever the route (issue 12): NUL (and unpaired surrogates)
 * in any string field is a 400 naming the field, never a 500 from PostgreSQL; bodies are read up to
 * what the service's schemas allow, a larger one is a 413 JSON error and malformed JSON a 400 JSON
 * error; no `X-Powered-By`, and `X-Content-Type-Options: nosniff` on every answer.
 */

const ORG = randomUUID();
let system: TelltaleSystem;
let salesforce: SalesforceSandbox;
let drop: () => Promise<void>;

before(async () => {
  const db = await createTestDatabase(requiredEnv('DATABASE_URL'));
  drop = db.drop;
  salesforce = await startSalesforceSandbox();
  system = await startTelltaleSystem({
    databaseUrl: db.url,
    kafkaBrokers: requiredEnv('KAFKA_BROKERS'),
    topicPrefix: `edge-${randomBytes(4).toString('hex')}.`,
    clock: new ManualClock(new Date()),
    salesforce: { loginUrl: salesforce.url, clientId: salesforce.clientId, clientSecret: salesforce.clientSecret, username: 'rep@telltale.sandbox', password: 'telltale-sandbox-password' },
  });
});

after(async () => {
  await system?.stop();
  await salesforce?.stop();
  await drop?.();
});

const services = (): [string, StartedService][] => servicesOf(system);

/** A raw request (any body, any content type) as an admin of ORG; the answer's JSON body when it has one. */
async function raw(base: string, path: string, init: { method?: string; body?: string; contentType?: string } = {}): Promise<{ status: number; headers: Headers; text: string; json: any }> {
  const res = await fetch(`${base}${path}`, {
    method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
    headers: { 'content-type': init.contentType ?? 'application/json', ...(await localIdentityHeaders(ORG)) },
    ...(init.body === undefined ? {} : { body: init.body }),
  });
  const text = await res.text();
  let json: unknown = null;
  if ((res.headers.get('content-type') ?? '').includes('application/json')) json = JSON.parse(text);
  return { status: res.status, headers: res.headers, text, json };
}

function assertHardenedHeaders(headers: Headers, what: string): void {
  assert.equal(headers.get('x-powered-by'), null, `${what}: no X-Powered-By`);
  assert.equal(headers.get('x-content-type-options'), 'nosniff', `${what}: X-Content-Type-Options`);
}

/** A 400 `invalid_request` naming `field` (and only as a path: the answer never echoes the value). */
function assertRefusedField(answer: { status: number; json: any; text: string }, field: string, what: string): void {
  assert.equal(answer.status, 400, `${what}: ${answer.text}`);
  assert.equal(answer.json?.error, 'invalid_request', what);
  const paths = (answer.json.issues as { path: string; message: string }[]).map((i) => i.path);
  assert.ok(paths.includes(field), `${what}: ${field} named in ${JSON.stringify(answer.json.issues)}`);
}

describe('every service', () => {
  test('no X-Powered-By and nosniff: on health, on an unknown route (404 JSON), on an error, and on the metrics port', async () => {
    for (const [name, service] of services()) {
      const health = await raw(service.url, '/health/live');
      assert.equal(health.status, 200, name);
      assertHardenedHeaders(health.headers, `${name} health`);
      const missing = await raw(service.url, '/no/such/route');
      assert.equal(missing.status, 404, name);
      assert.equal(missing.json?.statusCode, 404, `${name}: a JSON 404`);
      assertHardenedHeaders(missing.headers, `${name} 404`);
      const malformed = await raw(service.url, '/no/such/route', { body: '{"a":' });
      assert.equal(malformed.status, 400, `${name}: malformed JSON is refused before routing: ${malformed.text}`);
      assert.deepEqual(malformed.json, { error: 'malformed_json', message: 'The request body is not valid JSON.' }, name);
      assertHardenedHeaders(malformed.headers, `${name} malformed JSON`);
      const metrics = await fetch(service.metricsUrl);
      await metrics.text();
      assert.equal(metrics.headers.get('x-content-type-options'), 'nosniff', `${name} metrics`);
    }
  });

  test('NUL in a query string or a path segment is a 400 naming it, on every service', async () => {
    for (const [name, service] of services()) {
      const query = await raw(service.url, '/health/live?probe=a%00b');
      assertRefusedField(query, 'query.probe', `${name} query`);
      assertHardenedHeaders(query.headers, `${name} query`);
      assertRefusedField(await raw(service.url, '/v1/things/a%00b'), 'path', `${name} path`);
    }
  });

  test('a body larger than the service reads is a 413 JSON error naming the limit, never a stack trace', async () => {
    // Tracker, reply-detector, crm-writer: 100 kB; sequencer and sender about 6 MB; mailbox-sync about 3 MB.
    const cases: [StartedService, string, number][] = [
      [system.tracker, '/v1/office-ranges', 200 * 1024],
      [system.replyDetector, '/v1/anything', 200 * 1024],
      [system.crmWriter, '/v1/anything', 200 * 1024],
      [system.mailboxSync, '/v1/push/graph', 4 * 1024 * 1024],
      [system.sender, '/v1/emails', 8 * 1024 * 1024],
      [system.sequencer, '/v1/sequences', 8 * 1024 * 1024],
    ];
    for (const [service, path, size] of cases) {
      const answer = await raw(service.url, path, { method: path === '/v1/office-ranges' ? 'PUT' : 'POST', body: JSON.stringify({ padding: 'x'.repeat(size) }) });
      assert.equal(answer.status, 413, `${path}: ${answer.text.slice(0, 200)}`);
      assert.equal(answer.json.error, 'payload_too_large', path);
      assert.match(answer.json.message, /larger than the [\d.]+ [kM]B this service accepts/, path);
      assert.doesNotMatch(answer.text, /at .*\.js:\d+/, 'no stack trace');
      assertHardenedHeaders(answer.headers, `${path} 413`);
    }
  });
});

describe('sender', () => {
  test("the largest email its schema allows is read (html and text of 1 000 000 characters outside ASCII, about 6 MB): a 400 for the bad mailbox id, not a 413", async () => {
    const body = JSON.stringify({
      mailboxId: 'not-a-uuid',
      from: { address: 'sam@telltale.test', name: null },
      to: [{ address: 'dana@buyer.example', name: null }],
      subject: 'Big',
      html: 'é'.repeat(1_000_000),
      text: '日'.repeat(1_000_000),
    });
    assert.ok(Buffer.byteLength(body) > 5_000_000);
    assertRefusedField(await raw(system.sender.url, '/v1/emails', { body }), 'mailboxId', 'largest email');
  });

  test('NUL or an unpaired surrogate in any string field is a 400 naming it', async () => {
    const email = { mailboxId: randomUUID(), from: { address: 'sam@telltale.test', name: 'Sam' }, to: [{ address: 'dana@buyer.example', name: 'Dana' }], subject: 'Hi', text: 'Hello' };
    for (const [field, body] of [
      ['subject', { ...email, subject: 'Hi\u0000there' }],
      ['text', { ...email, text: 'Hello\u0000' }],
      ['html', { ...email, html: '<p>\u0000</p>' }],
      ['from.name', { ...email, from: { address: 'sam@telltale.test', name: 'S\u0000' } }],
      ['to.0.address', { ...email, to: [{ address: 'dana\u0000@buyer.example', name: null }] }],
      ['to.0.name', { ...email, to: [{ address: 'dana@buyer.example', name: '\uD800' }] }],
    ] as const) {
      assertRefusedField(await raw(system.sender.url, '/v1/emails', { body: JSON.stringify(body) }), field, `sender ${field}`);
    }
  });
});

describe('sequencer', () => {
  test('NUL or an unpaired surrogate in any string field is a 400 naming it', async () => {
    const sequence = { name: 'Edge', steps: [{ subject: 'Hello', text: 'One.' }] };
    for (const [field, body] of [
      ['name', { ...sequence, name: 'Ed\u0000ge' }],
      ['steps.0.subject', { ...sequence, steps: [{ subject: 'He\u0000llo', text: 'One.' }] }],
      ['steps.0.html', { ...sequence, steps: [{ subject: 'Hello', html: '\uDFFF' }] }],
    ] as const) {
      assertRefusedField(await raw(system.sequencer.url, '/v1/sequences', { body: JSON.stringify(body) }), field, `sequencer ${field}`);
    }
    const created = await callApi(system.sequencer.url, '/v1/sequences', ORG, { body: sequence });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const enrollment = { mailboxId: randomUUID(), from: { address: 'sam@telltale.test', name: 'Sam' }, prospect: { email: 'dana@buyer.example', name: 'Dana' } };
    for (const [field, body] of [
      ['prospect.name', { ...enrollment, prospect: { email: 'dana@buyer.example', name: 'Da\u0000na' } }],
      ['prospect.email', { ...enrollment, prospect: { email: 'dana\u0000@buyer.example', name: null } }],
      ['from.name', { ...enrollment, from: { address: 'sam@telltale.test', name: '\u0000' } }],
    ] as const) {
      assertRefusedField(await raw(system.sequencer.url, `/v1/sequences/${created.body.id}/enrollments`, { body: JSON.stringify(body) }), field, `enrollment ${field}`);
    }
  });

  test("a sequence whose steps' html and text exceed 2 000 000 characters together is a 400 naming the steps", async () => {
    const steps = [{ subject: 'One', html: 'a'.repeat(1_000_000) }, { html: 'b'.repeat(1_000_000) }, { text: 'c' }];
    assertRefusedField(await raw(system.sequencer.url, '/v1/sequences', { body: JSON.stringify({ name: 'Too much', steps }) }), 'steps', 'content total');
  });
});

describe('mailbox-sync', () => {
  test('NUL in any string field of a connection is a 400 naming it', async () => {
    const mailbox = sandboxMailbox(`edge-${randomBytes(3).toString('hex')}@telltale.test`);
    for (const [field, body] of [
      ['username', { ...mailbox, username: 'sam\u0000' }],
      ['password', { ...mailbox, password: 'pa\u0000ss' }],
      ['folders.1', { ...mailbox, folders: ['INBOX', 'Re\u0000plies'] }],
      ['imap.host', { ...mailbox, imap: { host: 'mail\u0000.example', port: 993, secure: true } }],
    ] as const) {
      assertRefusedField(await raw(system.mailboxSync.url, '/v1/mailboxes', { body: JSON.stringify(body) }), field, `mailbox-sync ${field}`);
    }
  });

  test('a Graph notification with NUL in a subscription id is refused, not a 500', async () => {
    const answer = await raw(system.mailboxSync.url, '/v1/push/graph', { body: JSON.stringify({ value: [{ subscriptionId: 'sub\u0000', clientState: 'x' }] }) });
    assert.equal(answer.status, 400, answer.text);
  });
});

describe('tracker', () => {
  test('NUL in an office range is a 400 naming it', async () => {
    const answer = await raw(system.tracker.url, '/v1/office-ranges', { method: 'PUT', body: JSON.stringify({ ranges: [{ cidr: '203.0.113.0/24', name: 'H\u0000Q' }] }) });
    assertRefusedField(answer, 'ranges.0.name', 'office range name');
    assertRefusedField(await raw(system.tracker.url, '/v1/office-ranges', { method: 'PUT', body: JSON.stringify({ ranges: [{ cidr: '203.0.113.0/24\u0000', name: null }] }) }), 'ranges.0.cidr', 'cidr');
  });

  test('the open pixel, answered ahead of Express, says nosniff too', async () => {
    const pixel = await fetch(`${system.tracker.url}/o/not-a-token`);
    await pixel.arrayBuffer();
    assert.equal(pixel.status, 200);
    assertHardenedHeaders(pixel.headers, 'pixel');
  });
});

describe('reply-detector', () => {
  test('a malformed id is a 400, and a NUL in it a 400 naming the path', async () => {
    assert.equal((await raw(system.replyDetector.url, '/v1/enrollments/not-a-uuid/verdicts')).status, 400);
    assertRefusedField(await raw(system.replyDetector.url, '/v1/enrollments/%00/verdicts'), 'path', 'reply-detector path');
  });
});
