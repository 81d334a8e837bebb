import { Inject, Injectable, NotFoundException } from '@nestjs/common';
import { CredentialCipher, ServiceRuntime } from '@telltale/runtime';
import { z } from 'zod';
import { IdentityProvider, Organization } from './organization.entity';
import { OrganizationPlan, PLAN_SYNC_SETTINGS, PlanSync, type PlanSyncSettings } from './plan-sync';

export const APP_CIPHER = Symbol('APP_CIPHER');

const Domain = z
  .string()
  .trim()
  .toLowerCase()
  .max(253)
  .regex(/^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/, 'must be a domain such as acme.com');

export const UpdateOrganizationRequest = z
  .object({ name: z.string().trim().min(1).max(200).optional(), signUpDomains: z.array(Domain).max(50).optional(), plan: OrganizationPlan.optional() })
  .strict();

export const IdentityProviderRequest = z
  .object({
    issuer: z.url({ protocol: /^https?$/ }).max(500),
    clientId: z.string().min(1).max(500),
    /** Absent: a public client (PKCE only). */
    clientSecret: z.string().min(1).max(2000).optional(),
  })
  .strict();

export interface OrganizationView {
  id: string;
  name: string;
  signUpDomains: string[];
  /** free, team or business: what the content library allows (team and above). */
  plan: OrganizationPlan;
  identityProvider: { issuer: string; clientId: string; confidential: boolean } | null;
}

export interface ProviderSettings {
  issuer: string;
  clientId: string;
  clientSecret: string | null;
}

@Injectable()
export class OrganizationsService {
  constructor(
    private readonly runtime: ServiceRuntime,
    @Inject(APP_CIPHER) private readonly cipher: CredentialCipher,
    private readonly planSync: PlanSync,
    @Inject(PLAN_SYNC_SETTINGS) private readonly planSettings: PlanSyncSettings,
  ) {}

  private get orgs() {
    return this.runtime.dataSource.getRepository(Organization);
  }

  private get providers() {
    return this.runtime.dataSource.getRepository(IdentityProvider);
  }

  async get(orgId: string): Promise<Organization> {
    const org = await this.orgs.findOneBy({ id: orgId });
    if (!org) throw new NotFoundException({ error: 'organization_not_found', message: 'No such organisation.' });
    return org;
  }

  /** The organisation a new person with this address may join (a verified sign-up domain), if any. */
  async bySignUpDomain(domain: string): Promise<Organization | null> {
    return this.orgs.createQueryBuilder('o').where(':domain = ANY(o.sign_up_domains)', { domain: domain.toLowerCase() }).getOne();
  }

  async view(orgId: string): Promise<OrganizationView> {
    const org = await this.get(orgId);
    const provider = await this.providers.findOneBy({ orgId });
    return {
      id: org.id,
      name: org.name,
      signUpDomains: org.signUpDomains,
      plan: org.plan ?? this.planSettings.defaultPlan,
      identityProvider: provider ? { issuer: provider.issuer, clientId: provider.clientId, confidential: provider.secretCiphertext !== null } : null,
    };
  }

  async upsert(orgId: string, changes: { name?: string; signUpDomains?: string[]; plan?: OrganizationPlan }): Promise<void> {
    const existing = await this.orgs.findOneBy({ id: orgId });
    // PATCH {} changes nothing (an UPDATE without columns is an error in TypeORM: it was a 500).
    const set = Object.fromEntries(Object.entries(changes).filter(([, value]) => value !== undefined));
    if (existing) {
      if (Object.keys(set).length > 0) await this.orgs.update({ id: orgId }, set);
    } else await this.orgs.insert({ id: orgId, name: changes.name ?? 'Organisation', signUpDomains: changes.signUpDomains ?? [], plan: changes.plan ?? null });
    // A new organisation, or a new plan: the content service hears of it (again later if it is down).
    if (!existing || changes.plan !== undefined) void this.planSync.wake();
  }

  async setProvider(orgId: string, settings: { issuer: string; clientId: string; clientSecret?: string }): Promise<void> {
    const sealed = settings.clientSecret ? this.cipher.encrypt(settings.clientSecret, orgId) : null;
    await this.providers.upsert(
      { orgId, issuer: settings.issuer, clientId: settings.clientId, secretKeyId: sealed?.keyId ?? null, secretCiphertext: sealed?.ciphertext ?? null },
      ['orgId'],
    );
  }

  async provider(orgId: string): Promise<ProviderSettings | null> {
    const row = await this.providers.findOneBy({ orgId });
    if (!row) return null;
    const clientSecret = row.secretKeyId && row.secretCiphertext ? this.cipher.decrypt(row.secretKeyId, row.secretCiphertext, orgId) : null;
    return { issuer: row.issuer, clientId: row.clientId, clientSecret };
  }
}
