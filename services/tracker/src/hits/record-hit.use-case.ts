import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { context, propagation, ROOT_CONTEXT, type Context } from '@opentelemetry/api';
import { CLOCK, type Clock } from '@telltale/db';
import { ServiceRuntime } from '@telltale/runtime';
import type { ClickClaims, OpenClaims } from '@telltale/tracking';
import { classifyHit, type HitFacts } from '../classification/hit-classifier';
import { OpenHistory } from '../classification/open-history';
import { EmailActivityWindow } from '../classification/email-activity-window';
import type { HitSignatures } from '../classification/hit-signatures';
import { DeviceDirectory } from '../devices/device-directory';
import { HitRecorder } from '../recording/hit-recorder';
import { HitMetrics } from './hit-metrics';
import { HIT_SIGNATURES } from './tracker-tokens';

const MAX_USER_AGENT = 512;

export interface HitRequest {
  method: 'GET' | 'HEAD';
  userAgent: string | undefined;
  ip: string | null;
  deviceCookie: string | null;
}

/**
 * Turns a verified hit into a labelled engagement and hands it to the recorder. Everything the
 * classifier needs is in memory, so almost every hit is labelled and recorded at once. One kind
 * waits briefly: a click soon after the send with no open in this replica's memory would be
 * labelled "click before any open" (a scanner), which is wrong when another replica served the
 * open; the engagement store is asked first (OpenHistory, at most 250 ms). Later hits of the same
 * email wait behind it, so hits are still recorded in arrival order per email.
 */
@Injectable()
export class RecordHitUseCase {
  /** Per email with a lookup under way: the chain its later hits are recorded behind. */
  private readonly held = new Map<string, Promise<void>>();

  constructor(
    private readonly recorder: HitRecorder,
    private readonly devices: DeviceDirectory,
    private readonly activity: EmailActivityWindow,
    private readonly openHistory: OpenHistory,
    private readonly runtime: ServiceRuntime,
    private readonly metrics: HitMetrics,
    @Inject(HIT_SIGNATURES) private readonly signatures: HitSignatures,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /**
   * `traceContext`: the request's trace (the active context unless the caller holds it);
   * `occurredAt`: when the request came (now, unless a pixel process answered it: TRACKER_WORKERS).
   * Never throws for a held hit.
   */
  execute(claims: OpenClaims | ClickClaims, request: HitRequest, traceContext: Context = context.active(), occurredAt: Date = this.clock.now()): void {
    const before = this.held.get(claims.sentEmailId);
    const openMatters = this.openWouldChangeLabel(claims, request, occurredAt);
    if (!before && !openMatters) {
      this.classifyAndRecord(claims, request, occurredAt, traceContext, false);
      return;
    }
    // The lookup starts now; the hit is recorded once it has answered and every earlier held hit
    // of the email is recorded.
    const openedElsewhere = openMatters ? this.openHistory.personOpened(claims.sentEmailId, occurredAt) : Promise.resolve(false);
    const recorded = (before ?? Promise.resolve())
      .then(() => openedElsewhere)
      .then((opened) => this.classifyAndRecord(claims, request, occurredAt, traceContext, opened === true))
      .catch((err: unknown) => this.runtime.logger.error({ err: (err as Error).message, org_id: claims.orgId }, 'hit not recorded'));
    this.held.set(claims.sentEmailId, recorded);
    void recorded.then(() => {
      if (this.held.get(claims.sentEmailId) === recorded) this.held.delete(claims.sentEmailId);
    });
  }

  /** Resolves once every held hit is recorded (before the recorder stops). */
  async drain(): Promise<void> {
    while (this.held.size > 0) await Promise.all([...this.held.values()]);
  }

  /** Whether knowing of an open (that this replica did not see) would label this hit otherwise. */
  private openWouldChangeLabel(claims: OpenClaims | ClickClaims, request: HitRequest, occurredAt: Date): boolean {
    if (claims.kind !== 'click') return false;
    const facts = this.factsOf(claims, request, occurredAt);
    if (facts.openSeenBefore) return false;
    return classifyHit(facts, this.signatures).label !== classifyHit({ ...facts, openSeenBefore: true }, this.signatures).label;
  }

  private factsOf(claims: OpenClaims | ClickClaims, request: HitRequest, occurredAt: Date): HitFacts {
    const at = occurredAt.getTime();
    return {
      type: claims.kind === 'open' ? 'opened' : 'clicked',
      method: request.method,
      userAgent: request.userAgent ? request.userAgent.slice(0, MAX_USER_AGENT) : null,
      ip: request.ip,
      secondsSinceSend: (at - claims.issuedAt.getTime()) / 1000,
      selfDeviceUserId: this.devices.selfUserFor(request.deviceCookie, claims.orgId),
      officeRanges: this.devices.officeRangesOf(claims.orgId),
      ...this.activity.factsFor(claims.sentEmailId, at, claims.kind === 'click' ? claims.linkIndex : null),
    };
  }

  private classifyAndRecord(claims: OpenClaims | ClickClaims, request: HitRequest, occurredAt: Date, traceContext: Context, openedElsewhere: boolean): void {
    const facts = this.factsOf(claims, request, occurredAt);
    if (openedElsewhere) facts.openSeenBefore = true;
    const classification = classifyHit(facts, this.signatures);
    this.metrics.hit(facts.type, classification.label);
    const linkIndex = claims.kind === 'click' ? claims.linkIndex : null;
    this.activity.record(claims.sentEmailId, { type: facts.type, linkIndex, at: occurredAt.getTime(), label: classification.label });
    const traceHeaders: Record<string, string> = {};
    // The root context holds no span and no baggage: nothing to inject (the pixel's common case).
    if (traceContext !== ROOT_CONTEXT) propagation.inject(traceContext, traceHeaders);
    this.recorder.record({
      engagement: {
        engagementId: randomUUID(),
        orgId: claims.orgId,
        sentEmailId: claims.sentEmailId,
        type: facts.type,
        linkIndex,
        url: claims.kind === 'click' ? claims.url : null,
        classification,
        userAgent: facts.userAgent,
        occurredAt: occurredAt.toISOString(),
      },
      traceHeaders,
    });
  }
}
