import { setTimeout as delay } from 'node:timers/promises';
import { BadRequestException, Body, Controller, ForbiddenException, Get, Headers, HttpCode, Post, Query } from '@nestjs/common';
import { CurrentCaller, Members, Public, parseRequest, type Caller } from '@telltale/runtime';
import type { MailboxView } from '../mailboxes/mailbox-record';
import { MailboxesService } from '../mailboxes/mailboxes.service';
import { GmailConnectionsService, GoogleCallbackQuery, StartGoogleAuthorizationRequest } from './gmail-connections.service';
import { GmailFollowers } from './gmail-followers';
import { decodeGmailPush } from './gmail-push';
import { PubSubPushVerifier } from './pubsub-push-verifier';

@Controller('v1')
export class GmailController {
  constructor(
    private readonly connections: GmailConnectionsService,
    private readonly followers: GmailFollowers,
    private readonly mailboxes: MailboxesService,
    private readonly verifier: PubSubPushVerifier,
  ) {}

  /** Step 1: where to send the user's browser (Google's consent screen). */
  @Post('mailboxes/oauth/google')
  @Members('mailboxes')
  @HttpCode(201)
  async start(@CurrentCaller() caller: Caller, @Body() body: unknown): Promise<{ authorizationUrl: string; state: string; expiresAt: string }> {
    const orgId = caller.orgId;
    const request = parseRequest(StartGoogleAuthorizationRequest, body ?? {});
    return this.connections.start(orgId, caller.subject, request.loginHint);
  }

  /** Step 2: Google redirects here with ?code&state (or ?error when the user declined). */
  @Get('mailboxes/oauth/google/callback')
  @Members('mailboxes')
  async callback(@CurrentCaller() caller: Caller, @Query() query: unknown): Promise<MailboxView> {
    const parsed = parseRequest(GoogleCallbackQuery, query);
    if ('error' in parsed && typeof parsed.error === 'string') throw new BadRequestException({ error: 'google_authorization_denied', message: `Google answered ${parsed.error}; the mailbox is not connected.` });
    if (!('code' in parsed) || typeof parsed.code !== 'string' || typeof parsed.state !== 'string') throw new BadRequestException({ error: 'invalid_callback' });
    const row = await this.connections.complete(parsed.state, parsed.code, caller);
    await this.mailboxes.claimOwner(row.id, caller.userId);
    await Promise.race([this.followers.follow(row), delay(15_000)]);
    return this.mailboxes.view(await this.mailboxes.getRow(row.org_id, row.id));
  }

  /**
   * Cloud Pub/Sub push endpoint for users.watch. Genuine pushes carry Google's OIDC token or the
   * secret token we put in the subscription's endpoint URL. Pushes only wake the follower, which syncs from its stored cursor, so
   * duplicate and out-of-order notifications are harmless.
   */
  @Post('push/gmail')
  @Public('webhook')
  @HttpCode(204)
  async push(@Query('token') token: string | undefined, @Headers('authorization') authorization: string | undefined, @Body() body: unknown): Promise<void> {
    const verdict = await this.verifier.verify(authorization, token);
    if (!verdict.genuine) throw new ForbiddenException({ error: 'push_not_verified', message: verdict.why });
    const data = decodeGmailPush(body);
    if (!data) throw new BadRequestException({ error: 'not_a_gmail_notification' });
    const rows = await this.mailboxes.findByAddress('gmail', data.emailAddress);
    // Answer at once (Pub/Sub redelivers slow acks); the sync runs behind, and polling covers a lost one.
    for (const row of rows) void this.followers.trigger(row.id);
  }
}
