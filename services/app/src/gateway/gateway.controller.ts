import { All, Controller, Get, HttpException, HttpStatus, Inject, NotFoundException, Req, Res, ServiceUnavailableException, GatewayTimeoutException } from '@nestjs/common';
import { Readable } from 'node:stream';
import type { Response } from 'express';
import { CurrentCaller, Forwarded, IdentityTokenIssuer, Public, type Caller } from '@telltale/runtime';
import type { AppRequest } from '../sessions/app-authenticator';
import { upstreamFor, type Upstream } from './upstreams';

export const UPSTREAM_URLS = Symbol('UPSTREAM_URLS');
export type UpstreamUrls = Record<Upstream, string>;

/** Request headers passed on; everything else (cookies, the caller's credentials, any identity header) stays here. */
const FORWARDED_REQUEST_HEADERS = ['content-type', 'accept', 'accept-language', 'traceparent', 'tracestate', 'user-agent'];
const FORWARDED_RESPONSE_HEADERS = ['content-type', 'cache-control', 'location', 'retry-after'];
/** What the API's routes use; fetch cannot send some others (TRACE, CONNECT), and no service serves them. */
const FORWARDED_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'];
/** Longer than the slowest route (a mailbox connect answers within its own connect timeout). */
const UPSTREAM_TIMEOUT_MS = 30_000;

@Controller()
export class JwksController {
  constructor(private readonly issuer: IdentityTokenIssuer) {}

  /** The key set every service verifies identity tokens with (IDENTITY_JWKS_URL). */
  @Get('.well-known/jwks.json')
  @Public('keys')
  jwks(@Res({ passthrough: true }) res: Response): object {
    res.set('Cache-Control', 'public, max-age=300');
    return this.issuer.jwks();
  }
}

/**
 * The public API: `/api/v1/…` authenticated here (session or API key), then forwarded to the service
 * that owns the path with a one-minute identity token of the caller; that service checks roles,
 * scopes and the organisation of every object itself.
 */
@Controller('api')
export class GatewayController {
  constructor(
    private readonly issuer: IdentityTokenIssuer,
    @Inject(UPSTREAM_URLS) private readonly upstreams: UpstreamUrls,
  ) {}

  @All('v1/*path')
  @Forwarded()
  async forward(@CurrentCaller() caller: Caller, @Req() req: AppRequest, @Res() res: Response): Promise<void> {
    const url = new URL(req.originalUrl, 'http://gateway');
    const path = url.pathname.replace(/^\/api/, '');
    const upstream = upstreamFor(path);
    if (!upstream) throw new NotFoundException({ error: 'route_not_found', message: `No API route ${req.method} ${url.pathname}.` });
    if (!FORWARDED_METHODS.includes(req.method)) {
      res.setHeader('Allow', FORWARDED_METHODS.join(', '));
      throw new HttpException({ error: 'method_not_allowed', message: `The API takes ${FORWARDED_METHODS.join(', ')}, not ${req.method}.` }, HttpStatus.METHOD_NOT_ALLOWED);
    }
    const headers: Record<string, string> = {};
    for (const name of FORWARDED_REQUEST_HEADERS) {
      const value = req.headers[name];
      if (typeof value === 'string') headers[name] = value;
    }
    headers.authorization = `Bearer ${await this.issuer.sign({
      orgId: caller.orgId,
      userId: caller.userId,
      apiKeyId: caller.kind === 'api_key' ? caller.subject.slice('api_key:'.length) : null,
      roles: caller.roles,
      scopes: caller.scopes ? [...caller.scopes] : null,
      email: caller.email,
    })}`;
    // A file (the content library's uploads): any body that is not JSON is passed on as a stream, unread.
    const streamed = ['POST', 'PUT'].includes(req.method) && req.body === undefined && typeof req.headers['content-type'] === 'string' && !/json/i.test(req.headers['content-type']);
    if (streamed && typeof req.headers['content-length'] === 'string') headers['content-length'] = req.headers['content-length'];
    const hasBody = !['GET', 'HEAD'].includes(req.method) && req.body !== undefined && !(typeof req.body === 'object' && req.body !== null && Object.keys(req.body as object).length === 0 && !req.headers['content-length']);
    let answer: globalThis.Response;
    try {
      answer = await fetch(`${this.upstreams[upstream]}${path}${url.search}`, {
        method: req.method,
        headers,
        body: streamed ? (Readable.toWeb(req) as ReadableStream<Uint8Array>) : hasBody ? JSON.stringify(req.body) : undefined,
        ...(streamed ? { duplex: 'half' as const } : {}),
        redirect: 'manual',
        signal: AbortSignal.timeout(UPSTREAM_TIMEOUT_MS),
      });
    } catch (err) {
      if ((err as Error).name === 'TimeoutError') throw new GatewayTimeoutException({ error: 'upstream_timeout', message: `The ${upstream} service did not answer in time.` });
      throw new ServiceUnavailableException({ error: 'upstream_unavailable', message: `The ${upstream} service cannot be reached; try again shortly.` });
    }
    res.status(answer.status);
    for (const name of FORWARDED_RESPONSE_HEADERS) {
      const value = answer.headers.get(name);
      if (value !== null) res.setHeader(name, value);
    }
    res.send(Buffer.from(await answer.arrayBuffer()));
  }
}
