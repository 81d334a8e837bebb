import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Service-to-service credentials: each calling service holds its own random bearer token
 * (SERVICE_CREDENTIAL); each called service holds only their SHA-256 digests, named by caller
 * (INTERNAL_CALLERS=`sender=<hex>`), and each internal route names the callers it accepts. A
 * leaked config of a called service reveals no credential, and one caller's token opens no route
 * meant for another.
 */
export const SERVICE_NAME_PATTERN = /^[a-z][a-z0-9-]{1,40}$/;
const DIGEST_PATTERN = /^[0-9a-f]{64}$/;

export function serviceCredentialDigest(credential: string): string {
  return createHash('sha256').update(credential, 'utf8').digest('hex');
}

/** A new credential for `service` (`npm start`, tests, `telltale` CLI). */
export function generateServiceCredential(service: string): { credential: string; digest: string; entry: string } {
  const credential = `tts_${service}_${randomBytes(32).toString('base64url')}`;
  const digest = serviceCredentialDigest(credential);
  return { credential, digest, entry: `${service}=${digest}` };
}

/** Parses INTERNAL_CALLERS (`sender=<sha256 hex>,other=<hex>`); throws naming the bad entry (never a value). */
export function parseInternalCallers(spec: string): ReadonlyMap<string, Buffer> {
  const callers = new Map<string, Buffer>();
  for (const raw of spec.split(',').map((e) => e.trim()).filter(Boolean)) {
    const eq = raw.indexOf('=');
    const name = eq < 0 ? raw : raw.slice(0, eq);
    const digest = eq < 0 ? '' : raw.slice(eq + 1).toLowerCase();
    if (!SERVICE_NAME_PATTERN.test(name)) throw new Error(`INTERNAL_CALLERS: "${name.slice(0, 40)}" is not a service name`);
    if (!DIGEST_PATTERN.test(digest)) throw new Error(`INTERNAL_CALLERS: the entry for ${name} must be ${name}=<sha256 hex of its credential>`);
    if (callers.has(name)) throw new Error(`INTERNAL_CALLERS: ${name} is named twice`);
    callers.set(name, Buffer.from(digest, 'hex'));
  }
  return callers;
}

/** Which of `accepted` presented `credential`, or null; constant time per comparison. */
export function identifyServiceCaller(credential: string, accepted: readonly string[], callers: ReadonlyMap<string, Buffer>): string | null {
  if (!credential) return null;
  const presented = createHash('sha256').update(credential, 'utf8').digest();
  for (const name of accepted) {
    const expected = callers.get(name);
    if (expected && timingSafeEqual(presented, expected)) return name;
  }
  return null;
}
