import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** Tests run from dist/test; the fixtures stay in the source tree. */
export const EMAIL_FIXTURES_DIR = path.join(__dirname, '..', '..', 'test', 'fixtures', 'emails');

export function readEmailFixture(fileName: string): string {
  return readFileSync(path.join(EMAIL_FIXTURES_DIR, fileName), 'utf8');
}

/**
 * Golden-file comparison. `UPDATE_GOLDEN=1` rewrites the expected file instead (review the diff
 * before committing it).
 */
export function expectedGolden(fileName: string, actual: string): string {
  const filePath = path.join(EMAIL_FIXTURES_DIR, fileName);
  if (process.env['UPDATE_GOLDEN'] === '1') writeFileSync(filePath, actual);
  return readFileSync(filePath, 'utf8');
}
