import type { IncomingMessage, ServerResponse } from 'node:http';
import { Inject, Injectable } from '@nestjs/common';
import { ROOT_CONTEXT, SpanKind, propagation, trace } from '@opentelemetry/api';
import { ServiceRuntime } from '@telltale/runtime';
import { verifyTrackingToken, type SigningKeyRing } from '@telltale/tracking';
import type { ClientAddressResolver } from './client-address';
import { readDeviceCookie } from './device-cookie';
import { RecordHitUseCase } from './record-hit.use-case';
import { CLIENT_ADDRESS, TRACKING_KEYS } from './tracker-tokens';

/** The smallest transparent GIF (43 bytes). */
export const TRANSPARENT_GIF = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');

const PIXEL_HEADERS = {
  'Content-Type': 'image/gif',
  'Content-Length': String(TRANSPARENT_GIF.length),
  // Every load must reach us: no browser, proxy or CDN caching.
  'Cache-Control': 'no-store, no-cache, must-revalidate, private, max-age=0',
  Pragma: 'no-cache',
  Expires: '0',
};

const PIXEL_PATH = /^\/o\/([^/?#]*)(?:\?.*)?$/;

const tracer = trace.getTracer('telltale-tracker');

/**
 * `GET|HEAD /o/<token>`, served straight from the Node HTTP server ahead of Express and Nest (ADR
 * 0005): the pixel is the hottest path and needs none of the framework. Always the image, whatever
 * the token and whatever state the database or Kafka is in; HEAD (link checkers) is never recorded.
 */
@Injectable()
export class OpenPixelHandler {
  constructor(
    private readonly recordHit: RecordHitUseCase,
    private readonly runtime: ServiceRuntime,
    @Inject(TRACKING_KEYS) private readonly keys: SigningKeyRing,
    @Inject(CLIENT_ADDRESS) private readonly clientAddress: ClientAddressResolver,
  ) {}

  /** Handles the request and returns true when it is a pixel request; false leaves it to Express. */
  handle(req: IncomingMessage, res: ServerResponse): boolean {
    if (req.method !== 'GET' && req.method !== 'HEAD') return false;
    const match = PIXEL_PATH.exec(req.url ?? '');
    if (!match) return false;
    res.writeHead(200, PIXEL_HEADERS);
    if (req.method === 'HEAD') {
      res.end();
      return true;
    }
    res.end(TRANSPARENT_GIF);
    // The server span, opened here rather than by the HTTP instrumentation (see tracker-telemetry):
    // the hit's event carries its trace, as every other request's events do.
    const parent = propagation.extract(ROOT_CONTEXT, req.headers);
    const span = tracer.startSpan('GET /o/{token}', { kind: SpanKind.SERVER, attributes: { 'http.request.method': 'GET', 'http.route': '/o/{token}', 'http.response.status_code': 200 } }, parent);
    try {
      const verified = verifyTrackingToken(match[1]!, this.keys);
      if (!verified.ok) return true;
      const claims = verified.claims;
      if (claims.kind !== 'open') return true;
      const hit = {
        method: 'GET' as const,
        userAgent: req.headers['user-agent'],
        ip: this.clientAddress(req),
        deviceCookie: readDeviceCookie(req.headers.cookie),
      };
      this.recordHit.execute(claims, hit, trace.setSpan(parent, span));
    } catch (err) {
      this.runtime.logger.error({ err: (err as Error).message }, 'open hit not recorded');
    } finally {
      span.end();
    }
    return true;
  }
}
