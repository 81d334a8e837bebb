import { Controller, Get, Head, Inject, Param, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { Public, ServiceRuntime } from '@telltale/runtime';
import { checkRedirectUrl, verifyTrackingToken, type SigningKeyRing } from '@telltale/tracking';
import { readDeviceCookie } from './device-cookie';
import { RecordHitUseCase, type HitRequest } from './record-hit.use-case';
import type { ClientAddressResolver } from './client-address';
import { CLIENT_ADDRESS, TRACKING_KEYS } from './tracker-tokens';

/**
 * The click redirect, on whatever host it is reached by (per-org tracking domains point here;
 * tokens are self-contained, so the host plays no part). A click only ever redirects to the URL
 * fixed in its signed token at send time (no open redirect). The pixel is served ahead of Express
 * by `OpenPixelHandler`.
 */
@Controller()
@Public('recipient')
export class TrackingController {
  constructor(
    private readonly recordHit: RecordHitUseCase,
    private readonly runtime: ServiceRuntime,
    @Inject(TRACKING_KEYS) private readonly keys: SigningKeyRing,
    @Inject(CLIENT_ADDRESS) private readonly clientAddress: ClientAddressResolver,
  ) {}

  /** Scanners probe links with HEAD: same answer, recorded and labelled as such.
   * Declared before the GET route: Express also routes HEAD to GET handlers. */
  @Head('c/:token')
  clickHead(@Param('token') token: string, @Req() req: Request, @Res() res: Response): void {
    this.redirect(token, req, res, 'HEAD');
  }

  @Get('c/:token')
  click(@Param('token') token: string, @Req() req: Request, @Res() res: Response): void {
    this.redirect(token, req, res, 'GET');
  }

  private redirect(token: string, req: Request, res: Response, method: HitRequest['method']): void {
    const verified = verifyTrackingToken(token, this.keys);
    // The target comes only from the signed token, re-checked (http/https, no credentials).
    const target = verified.ok && verified.claims.kind === 'click' ? checkRedirectUrl(verified.claims.url) : null;
    if (!verified.ok || verified.claims.kind !== 'click' || !target?.ok) {
      res.status(404).type('text/plain').set('Cache-Control', 'no-store').send('Not found\n');
      return;
    }
    const claims = verified.claims;
    res.status(302).set({ Location: target.location, 'Cache-Control': 'no-store', 'Referrer-Policy': 'no-referrer' }).end();
    try {
      this.recordHit.execute(claims, { method, userAgent: req.headers['user-agent'], ip: this.clientAddress(req), deviceCookie: readDeviceCookie(req.headers.cookie) });
    } catch (err) {
      this.runtime.logger.error({ err: (err as Error).message, org_id: claims.orgId }, 'click hit not recorded');
    }
  }
}
