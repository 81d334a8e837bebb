import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The free-mail domain list bundled with this library (one domain a line, `#` comments): domains
 * whose users are not one company, so two people on one of them are never colleagues. The reply
 * detector and the sequencer's company-wide rule read the same list, so they agree.
 * libs/mail/dist/src → libs/mail/data.
 */
export const BUNDLED_FREE_MAIL_DOMAINS_FILE = join(__dirname, '..', '..', 'data', 'free-mail-domains.txt');

export function parseDomainList(text: string): Set<string> {
  return new Set(
    text
      .split(/\r?\n/)
      .map((line) => line.replace(/#.*$/, '').trim().toLowerCase())
      .filter((line) => line.length > 0),
  );
}

/** Reads a domain list; a file that cannot be read fails start-up with the path and the setting named. */
export function loadFreeMailDomains(file: string = BUNDLED_FREE_MAIL_DOMAINS_FILE, setting?: string): Set<string> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new Error(`cannot read the free-mail domain list ${file}${setting ? ` (${setting})` : ''}: ${(err as Error).message}`);
  }
  const domains = parseDomainList(text);
  if (domains.size === 0) throw new Error(`the free-mail domain list ${file} is empty`);
  return domains;
}
