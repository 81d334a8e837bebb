import type { JSONWebKeySet } from 'jose';
import { z } from 'zod';
import { IdentityTokenVerifier } from './identity-token';
import { parseInternalCallers } from './service-credentials';
import type { CallerGuardSettings } from './caller.guard';

const JwksJson = z
  .string()
  .max(100_000)
  .transform((text, ctx) => {
    try {
      const value = JSON.parse(text) as unknown;
      if (value && typeof value === 'object' && Array.isArray((value as { keys?: unknown }).keys)) return value as JSONWebKeySet;
    } catch {
      // reported below
    }
    ctx.addIssue({ code: 'custom', message: 'must be a JSON Web Key Set ({"keys":[…]})' });
    return z.NEVER;
  });

/**
 * How a service verifies who calls it (every service's config). IDENTITY_JWKS (the key set itself)
 * or IDENTITY_JWKS_URL (the app service's `/.well-known/jwks.json`); INTERNAL_CALLERS for the
 * services allowed on its internal routes.
 */
export const identityConfigShape = {
  IDENTITY_ISSUER: z.string().min(1).max(200).default('telltale-app'),
  IDENTITY_JWKS: JwksJson.optional(),
  IDENTITY_JWKS_URL: z.url({ protocol: /^https?$/ }).optional(),
  INTERNAL_CALLERS: z
    .string()
    .max(10_000)
    .default('')
    .transform((spec, ctx) => {
      try {
        return parseInternalCallers(spec);
      } catch (err) {
        ctx.addIssue({ code: 'custom', message: (err as Error).message });
        return z.NEVER;
      }
    }),
};

export interface IdentityConfig {
  IDENTITY_ISSUER: string;
  IDENTITY_JWKS?: JSONWebKeySet;
  IDENTITY_JWKS_URL?: string;
  INTERNAL_CALLERS: ReadonlyMap<string, Buffer>;
}

export function callerGuardSettings(config: IdentityConfig): CallerGuardSettings {
  const verifier =
    config.IDENTITY_JWKS || config.IDENTITY_JWKS_URL
      ? new IdentityTokenVerifier({ issuer: config.IDENTITY_ISSUER, jwks: config.IDENTITY_JWKS, jwksUrl: config.IDENTITY_JWKS_URL })
      : null;
  return { verifier, internalCallers: config.INTERNAL_CALLERS };
}
