import * as oidc from 'openid-client';
import type { ProviderSettings } from '../organizations/organizations.service';

/**
 * The relying party of each organisation's identity provider (openid-client): discovery done once per
 * provider setting and kept an hour, so a rotated key set or moved endpoint is picked up.
 */
export class OidcClients {
  private readonly cache = new Map<string, { config: Promise<oidc.Configuration>; at: number }>();

  constructor(private readonly allowHttpIssuers: boolean) {}

  configuration(provider: ProviderSettings): Promise<oidc.Configuration> {
    const key = `${provider.issuer}\n${provider.clientId}\n${provider.clientSecret ?? ''}`;
    const cached = this.cache.get(key);
    if (cached && Date.now() - cached.at < 3_600_000) return cached.config;
    const insecure = new URL(provider.issuer).protocol === 'http:';
    if (insecure && !this.allowHttpIssuers) return Promise.reject(new Error('identity provider over plain http refused (OIDC_ALLOW_HTTP_ISSUERS is off)'));
    const config = oidc.discovery(
      new URL(provider.issuer),
      provider.clientId,
      undefined,
      provider.clientSecret ? oidc.ClientSecretPost(provider.clientSecret) : oidc.None(),
      { execute: insecure ? [oidc.allowInsecureRequests] : [], timeout: 10 },
    );
    // A failed discovery is not kept: the next sign-in tries again.
    config.catch(() => this.cache.delete(key));
    this.cache.set(key, { config, at: Date.now() });
    return config;
  }
}
