import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { test } from 'node:test';
import { nameBasedUuid, sentEmailIdOf } from '../src/sending/sent-email-id';

test('UUIDv5 as RFC 9562 computes it (the DNS namespace and "www.example.com", its Appendix A.4 example)', () => {
  const dns = Buffer.from('6ba7b8109dad11d180b400c04fd430c8', 'hex');
  assert.equal(nameBasedUuid(dns, 'www.example.com'), '2ed6657d-e927-568b-95e1-2665a8aea6a2');
});

test('the sent email id is the same for every attempt at one send request, and differs between requests', () => {
  const request = randomUUID();
  assert.equal(sentEmailIdOf(request), sentEmailIdOf(request));
  assert.notEqual(sentEmailIdOf(request), sentEmailIdOf(randomUUID()));
  assert.match(sentEmailIdOf(request), /^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
});
