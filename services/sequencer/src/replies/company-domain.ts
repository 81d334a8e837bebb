import { loadFreeMailDomains as loadDomainList } from '@telltale/mail';

/** The free-mail domain list the reply detector reads too (libs/mail), so both agree on who can be colleagues. */
export function loadFreeMailDomains(path: string): ReadonlySet<string> {
  return loadDomainList(path, 'SEQUENCER_FREE_MAIL_DOMAINS_FILE');
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
