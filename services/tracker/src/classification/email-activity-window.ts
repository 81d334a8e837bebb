interface EmailActivity {
  /** An open that was not itself labelled a machine (prefetch, scanner, preview) was seen. */
  opened: boolean;
  /** Recent clicks (ms epoch, link index), trimmed to the burst window. */
  clicks: { at: number; linkIndex: number }[];
}

export interface ActivityFacts {
  openSeenBefore: boolean;
  otherLinksInBurst: number;
}

/** Opens that do not mean a person opened the email (an open of any other label does). */
export const MACHINE_OPEN_LABELS: ReadonlySet<string> = new Set(['privacy_prefetch', 'security_scanner', 'link_preview']);
const MAX_CLICKS_KEPT = 32;

/**
 * Recent per-email activity the classifier needs (was it opened, which links were just clicked),
 * kept in memory and bounded: the least recently hit emails are forgotten first (a Map iterates in
 * insertion order, and every hit re-inserts its email). Lost on restart, which only weakens the
 * behavioural rules for emails hit around a restart.
 */
export class EmailActivityWindow {
  private readonly emails = new Map<string, EmailActivity>();

  constructor(
    private readonly burstWindowMs: number,
    private readonly maxEmails = 100_000,
  ) {}

  /** What was seen of the email before a hit at `at` on `linkIndex` (null for an open). */
  factsFor(sentEmailId: string, at: number, linkIndex: number | null): ActivityFacts {
    const activity = this.emails.get(sentEmailId);
    if (!activity) return { openSeenBefore: false, otherLinksInBurst: 0 };
    const others = new Set<number>();
    for (const click of activity.clicks) {
      if (at - click.at <= this.burstWindowMs && click.at <= at && click.linkIndex !== linkIndex) others.add(click.linkIndex);
    }
    return { openSeenBefore: activity.opened, otherLinksInBurst: others.size };
  }

  /** Records a classified hit. */
  record(sentEmailId: string, hit: { type: 'opened' | 'clicked'; linkIndex: number | null; at: number; label: string }): void {
    const activity = this.emails.get(sentEmailId) ?? { opened: false, clicks: [] };
    this.emails.delete(sentEmailId);
    if (hit.type === 'opened' && !MACHINE_OPEN_LABELS.has(hit.label)) activity.opened = true;
    if (hit.type === 'clicked' && hit.linkIndex !== null) {
      activity.clicks = [...activity.clicks.filter((c) => hit.at - c.at <= this.burstWindowMs), { at: hit.at, linkIndex: hit.linkIndex }].slice(-MAX_CLICKS_KEPT);
    }
    this.emails.set(sentEmailId, activity);
    while (this.emails.size > this.maxEmails) {
      const oldest = this.emails.keys().next().value;
      if (oldest === undefined) break;
      this.emails.delete(oldest);
    }
  }
}
