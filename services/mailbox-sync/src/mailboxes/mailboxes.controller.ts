import { setTimeout as delay } from 'node:timers/promises';
import { Body, Controller, Get, Headers, HttpCode, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { parseRequest, requireOrgId } from '@telltale/runtime';
import { MailboxFollowers } from '../sync/mailbox-followers';
import type { MailboxView } from './mailbox-record';
import { ConnectImapMailboxRequest, MailboxesService } from './mailboxes.service';

@Controller('v1/mailboxes')
export class MailboxesController {
  constructor(
    private readonly mailboxes: MailboxesService,
    private readonly followers: MailboxFollowers,
  ) {}

  /** Connects an IMAP/SMTP mailbox; answers once the first sync finished (or the login failed). */
  @Post()
  @HttpCode(201)
  async connect(@Headers('x-org-id') org: string | undefined, @Body() body: unknown): Promise<MailboxView> {
    const orgId = requireOrgId(org);
    const row = await this.mailboxes.connect(orgId, parseRequest(ConnectImapMailboxRequest, body));
    // An unreachable server is retried in the background; the caller sees `syncing` meanwhile.
    await Promise.race([this.followers.follow(row), delay(15_000)]);
    return this.mailboxes.view(await this.mailboxes.getRow(orgId, row.id));
  }

  @Get()
  list(@Headers('x-org-id') org: string | undefined): Promise<MailboxView[]> {
    return this.mailboxes.list(requireOrgId(org));
  }

  @Get(':id')
  async get(@Headers('x-org-id') org: string | undefined, @Param('id', new ParseUUIDPipe()) id: string): Promise<MailboxView> {
    return this.mailboxes.view(await this.mailboxes.getRow(requireOrgId(org), id));
  }
}
