import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { after, before, test } from 'node:test';
import { BadRequestException, Controller, ForbiddenException, Get, Module, NotFoundException, Param, ParseUUIDPipe, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { withErrorCode } from '../src/http-error-codes';
import { hardenHttp } from '../src/http-hardening';

@Controller('things')
class ThingsController {
  @Get('plain')
  plain(): never {
    throw new ForbiddenException();
  }

  @Get('sentence')
  sentence(): never {
    throw new BadRequestException('Pick a colour.');
  }

  @Get('coded')
  coded(): never {
    throw new NotFoundException({ error: 'thing_not_found', message: 'No such thing.' });
  }

  @Get(':id')
  one(@Param('id', new ParseUUIDPipe()) id: string): { id: string } {
    return { id };
  }
}

@Module({ controllers: [ThingsController] })
class ThingsModule {}

let app: INestApplication;
let base: string;

before(async () => {
  app = await NestFactory.create(ThingsModule, { logger: false, bodyParser: false });
  hardenHttp(app, { jsonBodyLimitBytes: 1000 });
  await app.listen(0, '127.0.0.1');
  base = `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`;
});

after(async () => {
  await app?.close();
});

const get = async (path: string) => {
  const res = await fetch(`${base}${path}`);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};

test("Nest's own refusals get a snake_case error code: the router's 404, ParseUUIDPipe's 400, an exception without a body", async () => {
  assert.deepEqual(await get('/no/such/route'), { status: 404, body: { statusCode: 404, error: 'route_not_found', message: 'Cannot GET /no/such/route' } });
  assert.deepEqual(await get('/things/not-a-uuid'), { status: 400, body: { statusCode: 400, error: 'invalid_request', message: 'Validation failed (uuid is expected)' } });
  assert.deepEqual(await get('/things/plain'), { status: 403, body: { statusCode: 403, error: 'forbidden', message: 'Forbidden' } });
  assert.deepEqual(await get('/things/sentence'), { status: 400, body: { statusCode: 400, error: 'invalid_request', message: 'Pick a colour.' } });
});

test('an error that names its own code passes unchanged', async () => {
  assert.deepEqual(await get('/things/coded'), { status: 404, body: { error: 'thing_not_found', message: 'No such thing.' } });
  assert.deepEqual(await get('/things/0b7c51a8-2c1e-4c52-9f2b-7f1b1f0f3a11'), { status: 200, body: { id: '0b7c51a8-2c1e-4c52-9f2b-7f1b1f0f3a11' } });
});

test('withErrorCode: a code from the status name, messages joined, strings and coded bodies untouched', () => {
  assert.deepEqual(withErrorCode(405, { statusCode: 405, message: 'Nope', error: 'Method Not Allowed' }), { statusCode: 405, message: 'Nope', error: 'method_not_allowed' });
  assert.deepEqual(withErrorCode(422, { statusCode: 422, message: ['a is wrong', 'b is wrong'] }), { statusCode: 422, message: 'a is wrong; b is wrong', error: 'unprocessable_entity' });
  assert.equal(withErrorCode(400, 'text'), 'text');
  const coded = { error: 'payload_too_large', statusCode: 413 };
  assert.equal(withErrorCode(413, coded), coded);
  const health = { status: 'starting' };
  assert.equal(withErrorCode(503, health), health, 'a body of its own without statusCode');
});

test("Node's parser refusals are JSON too: a URL over 16 kB is a 431 request_headers_too_large, garbage a 400", async () => {
  const long = await fetch(`${base}/things/${'x'.repeat(20_000)}`);
  assert.equal(long.status, 431);
  assert.match(long.headers.get('content-type') ?? '', /^application\/json/);
  assert.equal(((await long.json()) as { error: string }).error, 'request_headers_too_large');
  const { port } = new URL(base);
  const raw = await new Promise<string>((resolve, reject) => {
    const socket = connect(Number(port), '127.0.0.1', () => socket.write('NOT HTTP AT ALL\r\n\r\n'));
    let text = '';
    socket.on('data', (chunk) => (text += chunk.toString('utf8')));
    socket.on('end', () => resolve(text));
    socket.on('error', reject);
  });
  assert.match(raw, /^HTTP\/1\.1 400 Bad Request\r\n/);
  assert.match(raw, /\{"error":"malformed_request"/);
});
