import { setTimeout as delay } from 'node:timers/promises';
import { BadRequestException, Body, Controller, Get, HttpCode, Post, Query, Res } from '@nestjs/common';
import { CurrentCaller, Members, Public, parseRequest, ServiceRuntime, textIssues, type Caller } from '@telltale/runtime';
import { z } from 'zod';
import type { MailboxView } from '../mailboxes/mailbox-record';
import { MailboxesService } from '../mailboxes/mailboxes.service';
import { GraphConnectionsService } from './graph-connections.service';
import { GraphFollowers } from './graph-followers';
import { clientStateMatches, GraphNotificationBody } from './graph-notification';

export const StartRequest = z.object({ loginHint: z.email().max(320).optional() }).strict();
export const CallbackQuery = z.object({ state: z.string().max(200).optional(), code: z.string().max(4000).optional(), error: z.string().max(200).optional() }).loose();

/** The slice of Express's response the validation handshake needs. */
interface PlainTextResponse {
  status(code: number): PlainTextResponse;
  type(contentType: string): PlainTextResponse;
  send(body: string): unknown;
}

@Controller('v1')
export class GraphController {
  constructor(
    private readonly connections: GraphConnectionsService,
    private readonly followers: GraphFollowers,
    private readonly mailboxes: MailboxesService,
    private readonly runtime: ServiceRuntime,
  ) {}

  @Post('mailboxes/oauth/microsoft')
  @Members('mailboxes')
  @HttpCode(201)
  start(@CurrentCaller() caller: Caller, @Body() body: unknown): Promise<{ authorizationUrl: string; state: string; expiresAt: string }> {
    return this.connections.start(caller.orgId, caller.subject, parseRequest(StartRequest, body ?? {}).loginHint);
  }

  @Get('mailboxes/oauth/microsoft/callback')
  @Members('mailboxes')
  async callback(@CurrentCaller() caller: Caller, @Query() query: unknown): Promise<MailboxView> {
    const parsed = parseRequest(CallbackQuery, query);
    if (parsed.error) throw new BadRequestException({ error: 'microsoft_authorization_denied', message: `Microsoft answered ${parsed.error}; the mailbox is not connected.` });
    if (!parsed.code || !parsed.state) throw new BadRequestException({ error: 'invalid_callback' });
    const row = await this.connections.complete(parsed.state, parsed.code, caller);
    await this.mailboxes.claimOwner(row.id, caller.userId);
    await Promise.race([this.followers.follow(row), delay(15_000)]);
    return this.mailboxes.view(await this.mailboxes.getRow(row.org_id, row.id));
  }

  /**
   * Graph change notifications. Creating a subscription first POSTs ?validationToken=…, which must
   * be echoed as text/plain within 10 s. Each notification must carry our clientState; others are
   * ignored. Notifications only wake the follower (delta from the stored cursor), so duplicates and
   * out-of-order deliveries are harmless; we answer 202 at once. Lifecycle notifications come here
   * too (lifecycleNotificationUrl).
   */
  @Post('push/graph')
  @Public('webhook')
  async notify(@Query('validationToken') validationToken: string | undefined, @Body() body: unknown, @Res() res: PlainTextResponse): Promise<void> {
    if (validationToken !== undefined) {
      res.status(200).type('text/plain').send(validationToken);
      return;
    }
    const parsed = GraphNotificationBody.safeParse(body);
    // Ids with NUL would reach PostgreSQL, which refuses them (a 500).
    if (!parsed.success || textIssues(body).length > 0) {
      res.status(400).type('text/plain').send('not a change notification collection');
      return;
    }
    const ids = [...new Set(parsed.data.value.map((n) => n.subscriptionId))];
    const rows = await this.mailboxes.graphSubscribers(ids);
    for (const row of rows) {
      const genuine = parsed.data.value.filter((n) => n.subscriptionId === row.push_subscription_id && clientStateMatches(n.clientState, row.push_client_state));
      if (genuine.length === 0) {
        this.runtime.logger.warn({ mailbox_id: row.id }, 'graph notification with a wrong clientState ignored');
        continue;
      }
      const lifecycle = genuine.map((n) => n.lifecycleEvent).filter((e): e is string => e !== undefined);
      // missed: Graph dropped notifications, so sync now; the other two: renew or recreate the subscription.
      if (lifecycle.some((e) => e === 'reauthorizationRequired' || e === 'subscriptionRemoved')) void this.followers.resubscribe(row.id);
      void this.followers.trigger(row.id);
    }
    res.status(202).type('text/plain').send('');
  }
}
