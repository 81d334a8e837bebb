import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** Fixtures live beside the test sources; compiled tests run from dist/test, two levels below the package. */
export const INBOUND_FIXTURE_DIR = resolve(__dirname, '..', '..', 'test', 'fixtures', 'inbound');

export function inboundFixtureNames(): string[] {
  return readdirSync(INBOUND_FIXTURE_DIR)
    .filter((file) => file.endsWith('.eml'))
    .map((file) => file.slice(0, -'.eml'.length))
    .sort();
}

export function readInboundFixture(name: string): Buffer {
  return readFileSync(join(INBOUND_FIXTURE_DIR, `${name}.eml`));
}

export function readExpected(name: string): unknown {
  return JSON.parse(readFileSync(join(INBOUND_FIXTURE_DIR, `${name}.expected.json`), 'utf8')) as unknown;
}

export const FIXED_RECEIVED_AT = new Date('2025-02-01T00:00:00.000Z');
