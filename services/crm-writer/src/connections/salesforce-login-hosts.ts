import { z } from 'zod';

/**
 * Where an organisation logs in (Salesforce Help, "OAuth Endpoints"): production orgs at
 * login.salesforce.com, sandboxes at test.salesforce.com, or the org's My Domain
 * (`https://<name>.my.salesforce.com`, `https://<name>--<sandbox>.sandbox.my.salesforce.com`),
 * which works for both and is required where the org blocks the generic hosts.
 */
export const SalesforceEnvironment = z.enum(['production', 'sandbox', 'my_domain']);
export type SalesforceEnvironment = z.infer<typeof SalesforceEnvironment>;

/** `myDomain` (the My Domain host) is read for `my_domain` only, and required there. */
export const LoginHostRequest = z.object({ environment: SalesforceEnvironment, myDomain: z.string().min(3).max(255).optional() }).strict();
export type LoginHostRequest = z.infer<typeof LoginHostRequest>;

export interface LoginHosts {
  production: string;
  sandbox: string;
}

/** A DNS label run ending in .my.salesforce.com (sandbox, scratch and Experience Cloud variants included). */
const MY_DOMAIN_HOST = /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*\.my\.salesforce\.com$/;

export class InvalidLoginHostError extends Error {}

/** The login URL (scheme and host, no path) for the admin's choice. */
export function loginUrlFor(request: LoginHostRequest, hosts: LoginHosts): string {
  if (request.environment === 'production') return trimSlash(hosts.production);
  if (request.environment === 'sandbox') return trimSlash(hosts.sandbox);
  const typed = (request.myDomain ?? '').trim().toLowerCase();
  const host = typed.replace(/^https:\/\//, '').replace(/\/+$/, '');
  if (!MY_DOMAIN_HOST.test(host)) {
    throw new InvalidLoginHostError(
      'myDomain must be your My Domain host, like "acme.my.salesforce.com" or "acme--uat.sandbox.my.salesforce.com" (Setup → My Domain shows it).',
    );
  }
  return `https://${host}`;
}

function trimSlash(url: string): string {
  return url.replace(/\/+$/, '');
}
