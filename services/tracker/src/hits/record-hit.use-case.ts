import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { trackingEngagementTopic } from '@telltale/contracts';
import { CLOCK, type Clock } from '@telltale/db';
import { ServiceRuntime } from '@telltale/runtime';
import type { ClickClaims, OpenClaims } from '@telltale/tracking';
import { classifyHit } from './hit-classifier';

const MAX_USER_AGENT = 512;

/** One cheap write per hit: the append-only engagement row and its event, in one transaction. */
@Injectable()
export class RecordHitUseCase {
  constructor(
    private readonly runtime: ServiceRuntime,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async execute(claims: OpenClaims | ClickClaims, userAgentHeader: string | undefined): Promise<string> {
    const type = claims.kind === 'open' ? 'opened' : 'clicked';
    const userAgent = userAgentHeader ? userAgentHeader.slice(0, MAX_USER_AGENT) : null;
    const classification = classifyHit({ type, userAgent });
    const occurredAt = this.clock.now();
    const engagementId = randomUUID();
    const linkIndex = claims.kind === 'click' ? claims.linkIndex : null;
    const url = claims.kind === 'click' ? claims.url : null;
    await this.runtime.transaction(async (m) => {
      await m.query(
        `INSERT INTO tracker.engagement (id, org_id, sent_email_id, type, link_index, url, label, confidence, reasons, user_agent, occurred_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
        [engagementId, claims.orgId, claims.sentEmailId, type, linkIndex, url, classification.label, classification.confidence, JSON.stringify(classification.reasons), userAgent, occurredAt],
      );
      await this.runtime.outbox.enqueue(
        m,
        trackingEngagementTopic,
        { engagementId, orgId: claims.orgId, sentEmailId: claims.sentEmailId, type, linkIndex, url, classification, userAgent, occurredAt: occurredAt.toISOString() },
        { orgId: claims.orgId, eventId: engagementId, occurredAt },
      );
    });
    return engagementId;
  }
}
