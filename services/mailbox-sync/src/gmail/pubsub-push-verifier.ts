import { timingSafeEqual } from 'node:crypto';
import { OAuth2Client } from 'google-auth-library';

/** Google signs push requests' OIDC tokens with these issuers (Pub/Sub authenticated push). */
const GOOGLE_ISSUERS = ['accounts.google.com', 'https://accounts.google.com'];

export interface PushVerifierOptions {
  /** Shared secret in the subscription's endpoint URL (?token=…). */
  token?: string;
  /** Authenticated push: the audience set on the subscription and the service account it signs as. */
  oidc?: { audience: string; serviceAccountEmail: string; certs?: () => Promise<Record<string, string>> };
}

export type PushVerdict = { genuine: true } | { genuine: false; why: string };

function sameSecret(presented: string | undefined, expected: string): boolean {
  const a = Buffer.from(presented ?? '');
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Decides whether a Pub/Sub push really comes from our subscription
 * (https://cloud.google.com/pubsub/docs/authenticate-push-subscriptions): either the OIDC token
 * Google attaches (signature against Google's certificates, audience, issuer, expiry, and the
 * service account's verified email), or the secret token in the endpoint URL. Nothing configured
 * means nothing is accepted.
 */
export class PubSubPushVerifier {
  private readonly client = new OAuth2Client();

  constructor(private readonly options: PushVerifierOptions) {}

  async verify(authorization: string | undefined, urlToken: string | undefined): Promise<PushVerdict> {
    const oidc = this.options.oidc;
    const bearer = /^Bearer\s+(\S+)$/i.exec(authorization ?? '')?.[1];
    if (oidc && bearer) {
      try {
        const certs = oidc.certs ? await oidc.certs() : (await this.client.getFederatedSignonCertsAsync()).certs;
        const ticket = await this.client.verifySignedJwtWithCertsAsync(bearer, certs, oidc.audience, GOOGLE_ISSUERS);
        const payload = ticket.getPayload();
        if (payload?.email === oidc.serviceAccountEmail && payload.email_verified === true) return { genuine: true };
        return { genuine: false, why: 'push token signed for another account' };
      } catch {
        return { genuine: false, why: 'push token did not verify' };
      }
    }
    if (this.options.token && sameSecret(urlToken, this.options.token)) return { genuine: true };
    return { genuine: false, why: oidc || this.options.token ? 'push not verified' : 'push verification is not configured' };
  }
}
