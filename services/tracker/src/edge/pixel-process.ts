import { Agent, createServer, request, type IncomingMessage, type OutgoingHttpHeaders, type ServerResponse } from 'node:http';
import { parseSigningKeys, verifyTrackingToken } from '@telltale/tracking';
import { clientAddressResolver, EDGE_CLIENT_ADDRESS_HEADER, peerTrusted } from '../hits/client-address';
import { readDeviceCookie } from '../hits/device-cookie';
import { PIXEL_HEADER_LIST, pixelToken, TRANSPARENT_GIF } from '../hits/pixel-response';
import { PIXEL_PROCESS_OPTIONS_ENV, type ForwardedOpen, type PixelProcessMessage, type PixelProcessOptions, type TrackerProcessMessage } from './edge-protocol';

/** Trace headers a forwarded open keeps (W3C trace context and baggage). */
const TRACE_HEADERS = ['traceparent', 'tracestate', 'baggage'] as const;
/** Response headers of the tracker process that are about its own connection to us, not the client's. */
const HOP_BY_HOP = new Set(['connection', 'keep-alive']);

/**
 * A pixel process (TRACKER_WORKERS > 1; ADR 8): a bare `node:http` server on the tracker's port,
 * shared with the other pixel processes through SO_REUSEPORT (the kernel spreads connections over
 * them). It answers `GET|HEAD /o/<token>` itself with the tracker process's answer, verifies the
 * token and forwards the open to the tracker process over IPC, in batches, answering it once the
 * tracker process has recorded it (see flush). The tracker process classifies and records every hit, in the order
 * it receives them, so the rules that depend on earlier hits of an email see the hits of all
 * processes. Every other request is
 * passed on to the tracker process's own server with the client's address (resolved here, with the
 * same TRUST_PROXY) in a header. No Nest, no database, no Kafka, no telemetry SDK: the tracker
 * process opens the pixel's span from the trace headers forwarded with the hit.
 */
function runPixelProcess(options: PixelProcessOptions, send: (message: PixelProcessMessage) => void): void {
  const keys = parseSigningKeys(options.trackingSigningKeys);
  const clientAddress = clientAddressResolver(options.trustProxy);
  const trustsPeer = peerTrusted(options.trustProxy);
  const upstream = new Agent({ keepAlive: true, maxSockets: 64 });
  // Opens waiting to be forwarded, and their answers, sent only once the tracker process took them.
  let pending: ForwardedOpen[] = [];
  let unanswered: ServerResponse[] = [];
  let flushScheduled = false;
  /** The answers of the batch the tracker process has not confirmed yet (one batch in flight). */
  let inFlight: ServerResponse[] | null = null;

  /**
   * Forwards the waiting opens in one message and answers them once the tracker process confirms
   * it has recorded them (in memory, classified, in order): an open is recorded before its client
   * can know it was answered, so a later hit of the same email (through any pixel process, or a
   * click passed on) is recorded after it. One batch is in flight at a time: the tracker process's
   * pace is the pixel processes' pace, and opens never pile up in its memory.
   */
  const flush = (): void => {
    flushScheduled = false;
    if (pending.length === 0 || inFlight) return;
    const opens = pending;
    inFlight = unanswered;
    pending = [];
    unanswered = [];
    send({ kind: 'opens', opens });
  };

  const recorded = (): void => {
    const answers = inFlight ?? [];
    inFlight = null;
    for (const res of answers) res.end(TRANSPARENT_GIF);
    flush();
  };

  const answerPixel = (req: IncomingMessage, res: ServerResponse, token: string): void => {
    res.writeHead(200, PIXEL_HEADER_LIST as string[]);
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    const at = Date.now();
    const verified = verifyTrackingToken(token, keys);
    if (!verified.ok || verified.claims.kind !== 'open') {
      res.end(TRANSPARENT_GIF);
      return;
    }
    const trace: Record<string, string> = {};
    for (const name of TRACE_HEADERS) {
      const value = req.headers[name];
      if (typeof value === 'string') trace[name] = value;
    }
    const { orgId, sentEmailId, issuedAt } = verified.claims;
    pending.push({
      orgId,
      sentEmailId,
      issuedAt: issuedAt.getTime(),
      hit: { method: 'GET', userAgent: req.headers['user-agent'], ip: clientAddress(req), deviceCookie: readDeviceCookie(req.headers.cookie) },
      trace,
      at,
    });
    unanswered.push(res);
    if (!flushScheduled) {
      flushScheduled = true;
      setImmediate(flush);
    }
  };

  const passOn = (req: IncomingMessage, res: ServerResponse): void => {
    const headers: OutgoingHttpHeaders = { ...req.headers };
    delete headers[EDGE_CLIENT_ADDRESS_HEADER];
    const client = clientAddress(req);
    if (client) headers[EDGE_CLIENT_ADDRESS_HEADER] = client;
    // The protocol as Express would have believed it here; the tracker process trusts loopback.
    const forwardedProto = req.headers['x-forwarded-proto'];
    headers['x-forwarded-proto'] = trustsPeer(req.socket.remoteAddress ?? null) && typeof forwardedProto === 'string' ? forwardedProto.split(',')[0]!.trim() : 'http';
    const out = request({ host: '127.0.0.1', port: options.upstreamPort, method: req.method, path: req.url, headers, agent: upstream }, (answer) => {
      const raw: string[] = [];
      for (let i = 0; i < answer.rawHeaders.length; i += 2) {
        if (!HOP_BY_HOP.has(answer.rawHeaders[i]!.toLowerCase())) raw.push(answer.rawHeaders[i]!, answer.rawHeaders[i + 1]!);
      }
      res.writeHead(answer.statusCode ?? 502, answer.statusMessage, raw);
      answer.pipe(res);
    });
    out.on('error', () => {
      if (!res.headersSent) {
        res.writeHead(502, { 'Content-Type': 'text/plain', 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff' });
        res.end('Bad gateway\n');
      } else res.destroy();
    });
    req.pipe(out);
  };

  const server = createServer((req, res) => {
    if (req.method === 'GET' || req.method === 'HEAD') {
      const token = pixelToken(req.url);
      if (token !== null) {
        answerPixel(req, res, token);
        return;
      }
    }
    passOn(req, res);
  });
  server.listen({ port: options.port, host: options.host, reusePort: true }, () => {
    send({ kind: 'listening', port: (server.address() as { port: number }).port });
  });
  server.on('error', (err) => {
    process.stderr.write(`tracker pixel process: ${err.message}\n`);
    process.exit(1);
  });

  process.on('message', (message: TrackerProcessMessage) => {
    if (message.kind === 'recorded') {
      recorded();
      return;
    }
    // No new connections; answers under way finish, then every open is forwarded before we go.
    const force = setTimeout(() => server.closeAllConnections(), 2_000);
    server.close(() => {
      clearTimeout(force);
      // Every answer has gone out, so every open was confirmed: nothing is left to forward.
      send({ kind: 'stopped' });
      process.disconnect?.();
    });
    server.closeIdleConnections();
  });
  // The tracker process is gone: nothing would record our hits.
  process.on('disconnect', () => process.exit(0));
  // Stopped by the tracker process, not by signals sent to the process group.
  process.on('SIGTERM', () => undefined);
  process.on('SIGINT', () => undefined);
}

const raw = process.env[PIXEL_PROCESS_OPTIONS_ENV];
if (raw && process.send) {
  const send = process.send.bind(process);
  runPixelProcess(JSON.parse(raw) as PixelProcessOptions, (message) => send(message));
}
