import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import { withDatabase } from '../src/infrastructure/postgres-readiness';
import { testDatabaseName } from '../src/infrastructure/test-database';

describe('testDatabaseName', () => {
  it('is a plain identifier within PostgreSQL’s 63-byte limit', () => {
    const name = testDatabaseName(new Date('2100-01-01T00:00:00Z'), Buffer.alloc(6, 0xff));
    assert.match(name, /^telltale_test_[0-9a-z]+_ffffffffffff$/);
    assert.ok(Buffer.byteLength(name) <= 63);
  });

  it('differs when the random part differs', () => {
    const now = new Date(0);
    assert.notEqual(testDatabaseName(now, Buffer.alloc(6, 1)), testDatabaseName(now, Buffer.alloc(6, 2)));
  });
});

describe('withDatabase', () => {
  const cases: { url: string; database: string; expected: string }[] = [
    { url: 'postgres://u:p@127.0.0.1:5432/telltale', database: 'other', expected: 'postgres://u:p@127.0.0.1:5432/other' },
    { url: 'postgres://u:p@h:1/telltale?sslmode=disable', database: 'x', expected: 'postgres://u:p@h:1/x?sslmode=disable' },
    { url: 'postgresql://h/', database: 'db', expected: 'postgresql://h/db' },
  ];
  for (const { url, database, expected } of cases) {
    it(`${url} → ${database}`, () => {
      assert.equal(withDatabase(url, database), expected);
    });
  }
});
