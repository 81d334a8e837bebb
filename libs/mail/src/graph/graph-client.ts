import { Agent, request as httpsRequest } from 'node:https';
import { Readable } from 'node:stream';
import { AuthenticationHandler, Client, HTTPMessageHandler, RedirectHandler, RetryHandler, RetryHandlerOptions, TelemetryHandler, type Context, type Middleware } from '@microsoft/microsoft-graph-client';

import type { AccessTokenSource } from '../access-token-source';

export const GRAPH_ORIGIN = 'https://graph.microsoft.com';

/**
 * The preference for item ids that survive a move to another folder (a sent draft's move to Sent
 * Items, a reply a user or a rule files away): https://learn.microsoft.com/graph/outlook-immutable-id.
 * It holds only for the request that carries it, so every request that reads or names a message
 * sends it.
 */
export const IMMUTABLE_ID_PREFERENCE = 'IdType="ImmutableId"';

export interface GraphClientOptions {
  tokens: AccessTokenSource;
  /** Graph origin; a local fake in tests. The bearer token goes only to graph.microsoft.com and these hosts. */
  origin?: string;
  /** Extra CA (PEM) trusted for this client only, for a local fake served with a test CA. */
  ca?: string;
}

/**
 * The last link of the middleware chain when a private CA must be trusted: Node's global fetch
 * cannot take a CA per request without undici internals, and NODE_EXTRA_CA_CERTS is read only at
 * start-up, so this link makes the HTTPS call itself and hands the client a standard Response.
 */
class HttpsWithCaHandler implements Middleware {
  private readonly agent: Agent;

  constructor(ca: string) {
    // Keep-alive like fetch does, so a sync does not pay a TLS handshake per message.
    this.agent = new Agent({ ca, keepAlive: true, maxSockets: 16 });
  }

  execute(context: Context): Promise<void> {
    const target = typeof context.request === 'string' ? context.request : (context.request as Request).url;
    const options = context.options ?? {};
    const headers: Record<string, string> = {};
    new Headers(options.headers as ConstructorParameters<typeof Headers>[0]).forEach((value, key) => {
      headers[key] = value;
    });
    const body = options.body;
    return new Promise((resolve, reject) => {
      const req = httpsRequest(target, { method: options.method ?? 'GET', headers, agent: this.agent }, (res) => {
        const status = res.statusCode ?? 500;
        const responseHeaders = new Headers();
        for (const [key, value] of Object.entries(res.headers)) if (value !== undefined) responseHeaders.set(key, Array.isArray(value) ? value.join(', ') : value);
        // Streamed like fetch's body, so a caller can stop reading a large message part-way.
        const noBody = status === 204 || status === 304 || options.method === 'HEAD';
        if (noBody) res.resume();
        const payload = noBody ? null : (Readable.toWeb(res) as ReadableStream<Uint8Array>);
        context.response = new Response(payload, { status, statusText: res.statusMessage ?? '', headers: responseHeaders });
        resolve();
      });
      req.on('error', reject);
      if (typeof body === 'string' || body instanceof Uint8Array) req.write(body);
      req.end();
    });
  }
}

/**
 * @microsoft/microsoft-graph-client with the library's own middleware, unmodified, except that
 * its RetryHandler makes no retries: throttling and Retry-After go through our one error policy
 * (and per-mailbox send throttle) instead of sleeping inside a request.
 */
export function createGraphClient(options: GraphClientOptions): Client {
  const origin = options.origin ?? GRAPH_ORIGIN;
  const host = new URL(origin).hostname;
  const chain: Middleware[] = [
    new AuthenticationHandler({ getAccessToken: () => options.tokens.accessToken() }),
    new RetryHandler(new RetryHandlerOptions(0, 0)),
    new RedirectHandler(),
    new TelemetryHandler(),
    options.ca ? new HttpsWithCaHandler(options.ca) : new HTTPMessageHandler(),
  ];
  return Client.initWithMiddleware({ middleware: chain, baseUrl: origin, defaultVersion: 'v1.0', ...(host !== 'graph.microsoft.com' ? { customHosts: new Set([host]) } : {}) });
}
