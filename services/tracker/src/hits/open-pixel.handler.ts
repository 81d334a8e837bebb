import type { IncomingMessage, ServerResponse } from 'node:http';
import { Inject, Injectable } from '@nestjs/common';
import { ROOT_CONTEXT, SpanKind, propagation, trace } from '@opentelemetry/api';
import { ServiceRuntime } from '@telltale/runtime';
import { verifyTrackingToken, type OpenClaims, type SigningKeyRing } from '@telltale/tracking';
import type { ClientAddressResolver } from './client-address';
import { readDeviceCookie } from './device-cookie';
import { RecordHitUseCase, type HitRequest } from './record-hit.use-case';
import { CLIENT_ADDRESS, TRACKING_KEYS } from './tracker-tokens';
import { PIXEL_HEADER_LIST, pixelToken, TRANSPARENT_GIF } from './pixel-response';
import { carriesTrace, tracesRecorded } from './trace-carrier';

export { TRANSPARENT_GIF } from './pixel-response';

const tracer = trace.getTracer('telltale-tracker');
const SPAN_ATTRIBUTES = { 'http.request.method': 'GET', 'http.route': '/o/{token}', 'http.response.status_code': 200 };

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
    const method = req.method;
    if (method !== 'GET' && method !== 'HEAD') return false;
    const token = pixelToken(req.url);
    if (token === null) return false;
    res.writeHead(200, PIXEL_HEADER_LIST as string[]);
    if (method === 'HEAD') {
      res.end();
      return true;
    }
    res.end(TRANSPARENT_GIF);
    try {
      const verified = verifyTrackingToken(token, this.keys);
      if (!verified.ok || verified.claims.kind !== 'open') return true;
      this.record(verified.claims, { method: 'GET', userAgent: req.headers['user-agent'], ip: this.clientAddress(req), deviceCookie: readDeviceCookie(req.headers.cookie) }, req.headers);
    } catch (err) {
      this.runtime.logger.error({ err: (err as Error).message }, 'open hit not recorded');
    }
    return true;
  }

  /**
   * Records an answered open: here, or one a pixel process answered (`occurredAt` its arrival).
   * The server span is opened here rather than by the HTTP instrumentation (see tracker-telemetry),
   * continuing the trace in `carrier` (the request's headers): the hit's event carries its trace, as
   * every other request's events do.
   */
  record(claims: OpenClaims, hit: HitRequest, carrier: Record<string, string | string[] | undefined>, occurredAt?: Date): void {
    if (!carriesTrace(carrier) && !tracesRecorded()) {
      // No trace came with the request and none is recorded here: the span would be non-recording
      // with no context to pass on, and the event's trace headers empty either way.
      this.recordHit.execute(claims, hit, ROOT_CONTEXT, occurredAt);
      return;
    }
    const parent = propagation.extract(ROOT_CONTEXT, carrier);
    const span = tracer.startSpan('GET /o/{token}', { kind: SpanKind.SERVER, attributes: SPAN_ATTRIBUTES }, parent);
    try {
      this.recordHit.execute(claims, hit, trace.setSpan(parent, span), occurredAt);
    } finally {
      span.end();
    }
  }
}
