import { createHash } from 'node:crypto';
import { Controller, Get, Inject, Param, Post, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { unsubscribeRequestedTopic } from '@telltale/contracts';
import { Public, ServiceRuntime } from '@telltale/runtime';
import { verifyUnsubscribeToken, type SigningKeyRing, type UnsubscribeClaims } from '@telltale/tracking';
import { TRACKING_KEYS } from '../hits/tracker-tokens';
import { confirmPage, donePage, invalidPage } from './unsubscribe-pages';

/** The one-click body (RFC 8058 §3.1) is 26 bytes; a browser form adds a field. Anything larger is refused unread. */
const MAX_BODY_BYTES = 2048;

/**
 * The List-Unsubscribe URL of every sequence email (RFC 2369, RFC 8058), on the tracking domain.
 * `POST /u/{token}` with `List-Unsubscribe=One-Click` unsubscribes at once (mail clients' one-click:
 * no cookie, no page, 200); `GET /u/{token}` only shows a page whose button makes that same POST,
 * because link scanners and prefetchers follow GETs. The token alone names the organisation, the
 * enrollment and the address; the sequencer stops the enrollment and suppresses the address on
 * unsubscribe.requested.v1. Posting twice is harmless (same event id, handled once).
 */
@Controller('u')
@Public('recipient')
export class UnsubscribeController {
  constructor(
    private readonly runtime: ServiceRuntime,
    @Inject(TRACKING_KEYS) private readonly keys: SigningKeyRing,
  ) {}

  @Get(':token')
  page(@Param('token') token: string, @Res() res: Response): void {
    const verified = verifyUnsubscribeToken(token, this.keys);
    if (!verified.ok) {
      html(res, 400, invalidPage());
      return;
    }
    html(res, 200, confirmPage(verified.claims.address));
  }

  @Post(':token')
  async unsubscribe(@Param('token') token: string, @Req() req: Request, @Res() res: Response): Promise<void> {
    const verified = verifyUnsubscribeToken(token, this.keys);
    const body = await readSmallBody(req);
    const fromPage = body !== null && /(^|&)source=page(&|$)/.test(body);
    if (!verified.ok) {
      if (fromPage) html(res, 400, invalidPage());
      else res.status(400).type('text/plain').set('Cache-Control', 'no-store').send('This unsubscribe link is not valid.\n');
      return;
    }
    if (body === null || !isOneClickBody(body, req.headers['content-type'])) {
      res.status(400).type('text/plain').set('Cache-Control', 'no-store').send('Expected the body List-Unsubscribe=One-Click (RFC 8058).\n');
      return;
    }
    await this.record(verified.claims, fromPage ? 'unsubscribe_page' : 'one_click');
    if (fromPage) html(res, 200, donePage(verified.claims.address));
    else res.status(200).set('Cache-Control', 'no-store').end();
  }

  private async record(claims: UnsubscribeClaims, via: 'one_click' | 'unsubscribe_page'): Promise<void> {
    const unsubscribeId = uuidFrom(`${claims.orgId}|${claims.enrollmentId}|${claims.address}`);
    const now = this.runtime.clock.now();
    try {
      await this.runtime.transaction(async (m) => {
        const [seen] = (await m.query(`SELECT 1 FROM tracker.outbox WHERE event_id = $1`, [unsubscribeId])) as unknown[];
        if (seen) return;
        await this.runtime.outbox.enqueue(
          m,
          unsubscribeRequestedTopic,
          { unsubscribeId, orgId: claims.orgId, enrollmentId: claims.enrollmentId, address: claims.address, via, occurredAt: now.toISOString() },
          { orgId: claims.orgId, eventId: unsubscribeId, occurredAt: now },
        );
      });
    } catch (err) {
      // Two identical POSTs at once: the other one wrote the event.
      if ((err as { code?: string }).code !== '23505') throw err;
    }
  }
}

function html(res: Response, status: number, body: string): void {
  res
    .status(status)
    .type('text/html; charset=utf-8')
    .set({
      'Cache-Control': 'no-store',
      'Referrer-Policy': 'no-referrer',
      'X-Robots-Tag': 'noindex',
      'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'",
    })
    .send(body);
}

/** The body as text, or null when it is larger than a one-click body can be. */
async function readSmallBody(req: Request): Promise<string | null> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > MAX_BODY_BYTES) return null;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) return null;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** RFC 8058 §3.2: `List-Unsubscribe=One-Click` as application/x-www-form-urlencoded or as a multipart/form-data field. */
function isOneClickBody(body: string, contentType: string | undefined): boolean {
  if (/^multipart\/form-data/i.test(contentType ?? '')) return /name="List-Unsubscribe"\r?\n(?:[^\r\n]+\r?\n)*\r?\nOne-Click\r?\n/.test(body);
  return body.split('&').some((pair) => pair.trim() === 'List-Unsubscribe=One-Click');
}

function uuidFrom(text: string): string {
  const h = createHash('sha256').update(text).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${((parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
