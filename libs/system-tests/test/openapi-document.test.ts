import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { parse } from 'yaml';
import { OPENAPI_PATH, readPublicOperations, renderOpenApiYaml } from '../src/openapi/openapi-document';

/**
 * docs/openapi.yaml (issue 12) is generated from the controllers of the app and of the services
 * behind its gateway, with the zod schemas they validate: it must match what the code says now.
 */
test('docs/openapi.yaml is up to date with the controllers (regenerate: npx tsc -b tsconfig.json && node libs/system-tests/dist/src/openapi/generate-openapi.js)', async () => {
  const committed = readFileSync(OPENAPI_PATH, 'utf8');
  assert.equal(committed, await renderOpenApiYaml(), 'docs/openapi.yaml is stale: regenerate it (see the test name) and commit it');
});

interface Operation {
  operationId: string;
  security: Record<string, string[]>[];
  requestBody?: { content: Record<string, { schema: { type?: string; format?: string } }> };
  responses: Record<string, unknown>;
}

test('the document holds the public API only: members’ routes under /api/v1, the sign-in pages, each with its security and error answers', async () => {
  const doc = parse(readFileSync(OPENAPI_PATH, 'utf8')) as { openapi: string; paths: Record<string, Record<string, Operation>> };
  assert.equal(doc.openapi, '3.1.0');
  const paths = Object.keys(doc.paths);
  for (const path of paths) assert.match(path, /^\/api\/v1\/|^\/auth\/(sign-in|callback|sign-out)$/, `${path} is not a public API path`);
  for (const hidden of ['/internal', '/o/', '/c/', '/d/', '/health', '/push', 'jwks', 'openapi']) {
    assert.ok(!paths.some((p) => p.includes(hidden)), `no ${hidden} route in the public document`);
  }
  const operations = Object.entries(doc.paths).flatMap(([path, methods]) => Object.entries(methods).map(([method, op]) => ({ path, method, op })));
  const generated = await readPublicOperations();
  assert.equal(operations.length, generated.length);
  for (const { path, method, op } of operations) {
    const signIn = path === '/auth/sign-in' || path === '/auth/callback';
    assert.deepEqual(op.security.length === 0, signIn, `${method} ${path}: only the sign-in pages are open to anyone`);
    if (signIn) continue;
    assert.ok(op.responses['401'] && op.responses['403'] && op.responses['4XX'], `${method} ${path} documents 401, 403 and other 4xx errors`);
    if (path.includes('{')) assert.ok(op.responses['404'], `${method} ${path} documents 404`);
    if (op.requestBody) {
      const json = op.requestBody.content['application/json'];
      if (json) assert.equal(json.schema.type, 'object', `${method} ${path} takes a JSON object`);
      // Or a file (a document upload): each media type it may be sent as, the bytes themselves.
      else for (const [type, media] of Object.entries(op.requestBody.content)) assert.deepEqual(media.schema, { type: 'string', format: 'binary' }, `${method} ${path}: ${type} is the file's bytes`);
      assert.ok(op.responses['400'] && op.responses['413'], `${method} ${path} documents 400 and 413`);
    }
  }
  // The services' routes, each reached through the gateway.
  for (const path of ['/api/v1/sequences', '/api/v1/emails', '/api/v1/mailboxes', '/api/v1/office-ranges', '/api/v1/enrollments/{id}/verdicts', '/api/v1/emails/{sentEmailId}/engagement', '/api/v1/users']) {
    assert.ok(doc.paths[path], `${path} is documented`);
  }
});
