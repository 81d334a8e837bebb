// Telemetry first, exactly as in main.ts.
import { spanExporter } from './support/test-telemetry';
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, get, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SpanKind } from '@opentelemetry/api';
import { redactUrlPath, stopTelemetry } from '../src';

let server: Server;
let base: string;

before(async () => {
  server = createServer((_req, res) => res.writeHead(200, { 'Content-Type': 'text/plain' }).end('ok'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  await stopTelemetry();
});

const fetchWithHttp = (url: string): Promise<number> =>
  new Promise((resolve, reject) => {
    get(url, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    }).on('error', reject);
  });

test('HTTP spans, server and client, carry no tracking token, OAuth code or state, nor any query value', async () => {
  const token = randomBytes(48).toString('base64url');
  const code = `code-${randomBytes(12).toString('hex')}`;
  const state = `state-${randomBytes(12).toString('hex')}`;
  const email = 'dana@buyer.example';
  const mailboxId = randomUUID();
  spanExporter.reset();
  for (const path of [
    `/c/${token}`,
    `/o/${token.slice(0, 20)}`,
    `/v1/mailboxes/oauth/google/callback?code=${code}&state=${state}`,
    `/d/register?token=${token}`,
    `/services/data/v62.0/query?q=${encodeURIComponent(`SELECT Id FROM Contact WHERE Email = '${email}'`)}`,
    `/v1/mailboxes/${mailboxId}`,
  ]) {
    assert.equal(await fetchWithHttp(base + path), 200);
  }
  assert.equal(await fetchWithHttp(`${base}/metrics`), 200);
  const spans = spanExporter.getFinishedSpans();
  assert.equal(spans.filter((s) => s.kind === SpanKind.SERVER).length, 6, 'a server span per request, none for a Prometheus scrape');
  assert.equal(spans.filter((s) => s.kind === SpanKind.CLIENT).length, 7, 'a client span per request');
  const everything = JSON.stringify(spans.map((s) => ({ name: s.name, attributes: s.attributes, events: s.events })));
  for (const secret of [token, token.slice(0, 20), code, state, email, encodeURIComponent(email)]) {
    assert.ok(!everything.includes(secret), `no span carries ${secret.slice(0, 12)}…`);
  }
  const server = (path: string) => spans.find((s) => s.kind === SpanKind.SERVER && s.attributes['url.path'] === path);
  assert.equal(server('/c/REDACTED')?.attributes['url.query'], undefined);
  assert.equal(server('/v1/mailboxes/oauth/google/callback')?.attributes['url.query'], 'code=REDACTED&state=REDACTED');
  assert.ok(server(`/v1/mailboxes/${mailboxId}`), 'ids we look up stay readable');
  const clientUrls = spans.filter((s) => s.kind === SpanKind.CLIENT).map((s) => s.attributes['url.full']);
  assert.ok(clientUrls.includes(`${base}/d/register?token=REDACTED`), `client url.full redacted: ${clientUrls.join(' ')}`);
  assert.ok(clientUrls.includes(`${base}/o/REDACTED`));
});

test('path redaction keeps short segments and ids, drops token routes and long opaque segments', () => {
  assert.equal(redactUrlPath('/v1/enrollments/0b7f6c3e-2f1a-4c55-9a43-2b1d8f6c1a10/explain'), '/v1/enrollments/0b7f6c3e-2f1a-4c55-9a43-2b1d8f6c1a10/explain');
  assert.equal(redactUrlPath('/o/abc'), '/o/REDACTED');
  assert.equal(redactUrlPath(`/v1.0/me/messages/${'A'.repeat(120)}/$value`), '/v1.0/me/messages/REDACTED/$value');
  assert.equal(redactUrlPath('/health/ready'), '/health/ready');
});
