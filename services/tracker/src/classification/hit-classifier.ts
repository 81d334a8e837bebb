import type { TrackingEngagement } from '@telltale/contracts';
import { parseAddress, type AddressRanges } from '@telltale/contracts/dist/src/address-ranges';
import type { HitSignatures } from './hit-signatures';

export type HitClassification = TrackingEngagement['classification'];

/** Everything known about one hit when it arrives; gathered by the caller, judged here. */
export interface HitFacts {
  type: 'opened' | 'clicked';
  method: 'GET' | 'HEAD';
  userAgent: string | null;
  /** The client address as seen by the tracker (after trusted proxies), never stored. */
  ip: string | null;
  /** Seconds between the send (token issue time) and the hit; delivery is within seconds of it. */
  secondsSinceSend: number;
  /** The hit carried a registered, unrevoked device cookie of a user of the sending org. */
  selfDeviceUserId: string | null;
  /** The sending org's office ranges (`internal`), if it configured any. */
  officeRanges: AddressRanges | null;
  /** An open of the same email was seen before this hit. */
  openSeenBefore: boolean;
  /** Distinct other links of the same email clicked within the burst window before this click. */
  otherLinksInBurst: number;
}

const round = (seconds: number): number => Math.max(0, Math.round(seconds));

/**
 * Labels one hit; pure. Rules run in order and the first match wins (docs/tracking-classification.md):
 * who the reader is (self, internal) beats what their client is, declared identities (user agent)
 * beat network origin (IP range), and behaviour (HEAD, link burst, click before open) comes last.
 * Machines are labelled, never dropped.
 */
export function classifyHit(facts: HitFacts, signatures: HitSignatures): HitClassification {
  const ua = facts.userAgent ?? '';
  const since = `${round(facts.secondsSinceSend)} s after send`;
  const address = parseAddress(facts.ip);

  if (facts.selfDeviceUserId !== null) {
    return { label: 'self', confidence: 1, reasons: ['registered device of a user of the sending org'] };
  }
  if (facts.officeRanges !== null && facts.officeRanges.has(address)) {
    return { label: 'internal', confidence: 0.95, reasons: ["IP address in the org's office ranges"] };
  }
  if (facts.method === 'HEAD') {
    // Browsers follow links with GET; HEAD is what link checkers and scanners send.
    return { label: 'security_scanner', confidence: 0.9, reasons: ['HEAD request', since] };
  }
  for (const signature of signatures.userAgents) {
    if (signature.pattern.test(ua)) {
      return { label: signature.label, confidence: 0.95, reasons: [`user agent matches ${signature.name}`, since] };
    }
  }
  for (const signature of signatures.ipRanges) {
    if (!signature.ranges.has(address)) continue;
    // Apple's Mail Privacy Protection fetches images from Apple-owned addresses with a bare
    // "Mozilla/5.0" user agent; a browser on Apple's network sends a full one.
    if (signature.label === 'privacy_prefetch' && !signatures.appleGenericUserAgent.test(ua)) continue;
    return { label: signature.label, confidence: 0.85, reasons: [`IP address in ${signature.name}`, since] };
  }
  if (facts.type === 'clicked') {
    // A click from a rented machine in a cloud data centre: a program (scanner, headless browser),
    // almost never a prospect. Opens are left alone: mail apps' image proxies run there too.
    const place = signatures.cloud.find(address);
    if (place) return { label: 'security_scanner', confidence: 0.75, reasons: [`cloud address (${place.provider} ${place.region})`, since] };
  }
  if (facts.type === 'opened' && signatures.appleGenericUserAgent.test(ua)) {
    return { label: 'privacy_prefetch', confidence: 0.6, reasons: ['bare "Mozilla/5.0" user agent, as Apple Mail Privacy Protection sends', since] };
  }
  if (facts.type === 'clicked' && facts.otherLinksInBurst >= signatures.timing.linkBurstMinOtherLinks) {
    return {
      label: 'security_scanner',
      confidence: 0.85,
      reasons: [`link burst: ${facts.otherLinksInBurst + 1} links of the email within ${signatures.timing.linkBurstWindowSeconds} s`, since],
    };
  }
  if (facts.type === 'clicked' && !facts.openSeenBefore && facts.secondsSinceSend <= signatures.timing.clickBeforeOpenScannerSeconds) {
    return { label: 'security_scanner', confidence: 0.7, reasons: ['click before any open', since] };
  }
  if (ua === '') return { label: 'human', confidence: 0.3, reasons: ['no user agent; no machine signature matched', since] };
  return { label: 'human', confidence: 0.7, reasons: ['no machine signature matched', since] };
}
