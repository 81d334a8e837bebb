import { readFileSync } from 'node:fs';

/**
 * Reads the free-mail domain list (one domain a line, `#` comments): the same file reply-detector
 * uses (`services/reply-detector/data/free-mail-domains.txt`), so both services agree on who can
 * be colleagues.
 */
export function loadFreeMailDomains(path: string): ReadonlySet<string> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new Error(`cannot read the free-mail domain list ${path} (SEQUENCER_FREE_MAIL_DOMAINS_FILE): ${(err as Error).message}`);
  }
  const domains = text
    .split(/\r?\n/)
    .map((line) => line.replace(/#.*$/, '').trim().toLowerCase())
    .filter((line) => line.length > 0);
  if (domains.length === 0) throw new Error(`the free-mail domain list ${path} is empty`);
  return new Set(domains);
}

/**
 * The company an address belongs to, for the company-wide rule: its domain, or null for free-mail
 * addresses (two gmail.com users are not colleagues) and anything without a domain.
 */
export function companyDomainOf(address: string, freeMail: ReadonlySet<string>): string | null {
  const at = address.lastIndexOf('@');
  if (at < 1 || at === address.length - 1) return null;
  const domain = address.slice(at + 1).trim().toLowerCase().replace(/\.$/, '');
  if (!domain.includes('.')) return null;
  for (let d = domain; d.includes('.'); d = d.slice(d.indexOf('.') + 1)) {
    // Subdomains of a free-mail provider (e.g. mail.yahoo.com) are free-mail too.
    if (freeMail.has(d)) return null;
  }
  return domain;
}
