import { Controller, Get, Head, Headers, Param, Res } from '@nestjs/common';
import type { Response } from 'express';
import { ServiceRuntime } from '@telltale/runtime';
import { checkRedirectUrl, verifyTrackingToken, type SigningKeyRing } from '@telltale/tracking';
import { Inject } from '@nestjs/common';
import { RecordHitUseCase } from './record-hit.use-case';
import { TRACKING_KEYS } from './tracking-keys';

/** The smallest transparent GIF (43 bytes). */
export const TRANSPARENT_GIF = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');

function sendPixel(res: Response, withBody: boolean): void {
  res.status(200);
  res.set({
    'Content-Type': 'image/gif',
    'Content-Length': String(TRANSPARENT_GIF.length),
    // Every load must reach us: no browser, proxy or CDN caching.
    'Cache-Control': 'no-store, no-cache, must-revalidate, private, max-age=0',
    Pragma: 'no-cache',
    Expires: '0',
  });
  if (withBody) res.end(TRANSPARENT_GIF);
  else res.end();
}

/**
 * The public tracking edge. The pixel is always answered with the image, whatever the token and
 * whatever state the database or Kafka is in; a click only ever redirects to the URL fixed in its
 * signed token at send time (no open redirect).
 */
@Controller()
export class TrackingController {
  constructor(
    private readonly recordHit: RecordHitUseCase,
    private readonly runtime: ServiceRuntime,
    @Inject(TRACKING_KEYS) private readonly keys: SigningKeyRing,
  ) {}

  /** HEAD is what link checkers and some scanners send: answered, never recorded. */
  @Head('o/:token')
  openHead(@Res() res: Response): void {
    sendPixel(res, false);
  }

  @Get('o/:token')
  open(@Param('token') token: string, @Headers('user-agent') userAgent: string | undefined, @Res() res: Response): void {
    sendPixel(res, true);
    const verified = verifyTrackingToken(token, this.keys);
    if (!verified.ok || verified.claims.kind !== 'open') return;
    this.recordHit.execute(verified.claims, userAgent).catch((err: unknown) => {
      this.runtime.logger.error({ err: (err as Error).message, org_id: verified.claims.orgId }, 'open hit not recorded');
    });
  }

  @Get('c/:token')
  async click(@Param('token') token: string, @Headers('user-agent') userAgent: string | undefined, @Res() res: Response): Promise<void> {
    const verified = verifyTrackingToken(token, this.keys);
    // The target comes only from the signed token, re-checked (http/https, no credentials).
    const target = verified.ok && verified.claims.kind === 'click' ? checkRedirectUrl(verified.claims.url) : null;
    if (!verified.ok || verified.claims.kind !== 'click' || !target?.ok) {
      res.status(404).type('text/plain').set('Cache-Control', 'no-store').send('Not found\n');
      return;
    }
    const claims = verified.claims;
    res.status(302).set({ Location: target.location, 'Cache-Control': 'no-store', 'Referrer-Policy': 'no-referrer' }).end();
    await this.recordHit.execute(claims, userAgent).catch((err: unknown) => {
      this.runtime.logger.error({ err: (err as Error).message, org_id: claims.orgId }, 'click hit not recorded');
    });
  }
}
