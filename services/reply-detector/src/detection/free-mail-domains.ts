import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** services/reply-detector/dist/src/detection → services/reply-detector/data. */
const DEFAULT_FILE = join(__dirname, '..', '..', '..', 'data', 'free-mail-domains.txt');

export function parseDomainList(text: string): Set<string> {
  return new Set(
    text
      .split(/\r?\n/)
      .map((line) => line.trim().toLowerCase())
      .filter((line) => line && !line.startsWith('#')),
  );
}

export function loadFreeMailDomains(file: string = DEFAULT_FILE): Set<string> {
  return parseDomainList(readFileSync(file, 'utf8'));
}
