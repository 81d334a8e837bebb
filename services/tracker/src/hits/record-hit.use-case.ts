import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { context, propagation, type Context } from '@opentelemetry/api';
import { CLOCK, type Clock } from '@telltale/db';
import type { ClickClaims, OpenClaims } from '@telltale/tracking';
import { classifyHit } from '../classification/hit-classifier';
import { EmailActivityWindow } from '../classification/email-activity-window';
import type { HitSignatures } from '../classification/hit-signatures';
import { DeviceDirectory } from '../devices/device-directory';
import { HitRecorder } from '../recording/hit-recorder';
import { HIT_SIGNATURES } from './tracker-tokens';

const MAX_USER_AGENT = 512;

export interface HitRequest {
  method: 'GET' | 'HEAD';
  userAgent: string | undefined;
  ip: string | null;
  deviceCookie: string | null;
}

/**
 * Turns a verified hit into a labelled engagement and hands it to the recorder. No I/O: everything
 * the classifier needs is in memory, so this runs inside the request without waiting on anything.
 */
@Injectable()
export class RecordHitUseCase {
  constructor(
    private readonly recorder: HitRecorder,
    private readonly devices: DeviceDirectory,
    private readonly activity: EmailActivityWindow,
    @Inject(HIT_SIGNATURES) private readonly signatures: HitSignatures,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** `traceContext`: the request's trace (the active context unless the caller holds it). */
  execute(claims: OpenClaims | ClickClaims, request: HitRequest, traceContext: Context = context.active()): string {
    const type = claims.kind === 'open' ? 'opened' : 'clicked';
    const userAgent = request.userAgent ? request.userAgent.slice(0, MAX_USER_AGENT) : null;
    const occurredAt = this.clock.now();
    const at = occurredAt.getTime();
    const linkIndex = claims.kind === 'click' ? claims.linkIndex : null;
    const classification = classifyHit(
      {
        type,
        method: request.method,
        userAgent,
        ip: request.ip,
        secondsSinceSend: (at - claims.issuedAt.getTime()) / 1000,
        selfDeviceUserId: this.devices.selfUserFor(request.deviceCookie, claims.orgId),
        officeRanges: this.devices.officeRangesOf(claims.orgId),
        ...this.activity.factsFor(claims.sentEmailId, at, linkIndex),
      },
      this.signatures,
    );
    this.activity.record(claims.sentEmailId, { type, linkIndex, at, label: classification.label });
    const engagementId = randomUUID();
    const traceHeaders: Record<string, string> = {};
    propagation.inject(traceContext, traceHeaders);
    this.recorder.record({
      engagement: {
        engagementId,
        orgId: claims.orgId,
        sentEmailId: claims.sentEmailId,
        type,
        linkIndex,
        url: claims.kind === 'click' ? claims.url : null,
        classification,
        userAgent,
        occurredAt: occurredAt.toISOString(),
      },
      traceHeaders,
    });
    return engagementId;
  }
}
