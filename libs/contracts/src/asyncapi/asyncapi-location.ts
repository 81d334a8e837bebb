import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** libs/contracts/dist/src/asyncapi → repository root. */
const REPO_ROOT = join(__dirname, '..', '..', '..', '..', '..');
export const ASYNCAPI_PATH = join(REPO_ROOT, 'docs', 'asyncapi.yaml');

export function contractsVersion(): string {
  const pkg = JSON.parse(readFileSync(join(REPO_ROOT, 'libs', 'contracts', 'package.json'), 'utf8')) as { version: string };
  return pkg.version;
}
