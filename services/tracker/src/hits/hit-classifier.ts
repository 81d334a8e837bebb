import type { TrackingEngagement } from '@telltale/contracts';

export type HitClassification = TrackingEngagement['classification'];

export interface HitFacts {
  type: 'opened' | 'clicked';
  userAgent: string | null;
}

/**
 * Labels a hit from what the request says about its client. Machines are labelled, never dropped.
 * Gmail and Yahoo fetch images through their proxies on the recipient's behalf: a real open whose
 * reader is unknown (Gmail: "GoogleImageProxy" user agent).
 */
export function classifyHit(facts: HitFacts): HitClassification {
  const ua = facts.userAgent ?? '';
  if (/GoogleImageProxy|YahooMailProxy/i.test(ua)) {
    return { label: 'mail_proxy', confidence: 0.9, reasons: [`user agent is a mail image proxy`] };
  }
  if (ua === '') return { label: 'human', confidence: 0.3, reasons: ['no user agent; no machine signature matched'] };
  return { label: 'human', confidence: 0.6, reasons: ['no machine signature matched'] };
}
