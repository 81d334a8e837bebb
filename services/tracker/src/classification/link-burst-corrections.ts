import type { HitClassification } from './hit-classifier';

/** A stored click of one email, as the burst check reads it. */
export interface StoredClick {
  engagementId: string;
  linkIndex: number;
  at: number;
  label: string;
  reasons: string[];
}

export interface BurstCorrection {
  engagementId: string;
  classification: HitClassification;
}

export interface LinkBurstSettings {
  linkBurstWindowSeconds: number;
  linkBurstMinOtherLinks: number;
}

const SINCE_SEND = / s after send$/;

/**
 * The human clicks of one email that a link burst, seen after the fact, shows were a machine
 * (docs/tracking-classification.md, "Corrections"): a click with at least `linkBurstMinOtherLinks`
 * other links of the same email clicked within the burst window either side of it. The tracker
 * judges a click on the clicks before it that its own replica saw (rule 7), so the first click of
 * a burst, and every click of a burst spread over replicas, is labelled human when it is served;
 * the engagement store sees every replica's clicks of an email (one partition per email) and
 * corrects them. Pure; `clicks` are one email's.
 */
export function linkBurstCorrections(clicks: readonly StoredClick[], settings: LinkBurstSettings): BurstCorrection[] {
  const windowMs = settings.linkBurstWindowSeconds * 1000;
  const corrections: BurstCorrection[] = [];
  for (const click of clicks) {
    if (click.label !== 'human') continue;
    const others = new Set<number>();
    for (const other of clicks) {
      if (other.linkIndex !== click.linkIndex && Math.abs(other.at - click.at) <= windowMs) others.add(other.linkIndex);
    }
    if (others.size < settings.linkBurstMinOtherLinks) continue;
    const since = click.reasons.filter((r) => SINCE_SEND.test(r));
    corrections.push({
      engagementId: click.engagementId,
      classification: {
        label: 'security_scanner',
        confidence: 0.85,
        reasons: [`link burst: ${others.size + 1} links of the email within ${settings.linkBurstWindowSeconds} s (found after the click)`, ...since],
      },
    });
  }
  return corrections;
}
