import { Controller, Get, Headers, Inject, NotFoundException, Param, ParseUUIDPipe } from '@nestjs/common';
import { requireInternalToken } from '@telltale/runtime';
import { MailboxesService } from '../mailboxes/mailboxes.service';
import { INTERNAL_API_TOKEN } from './internal-token';

/** Service-to-service API: the sender fetches send credentials here (never exposed publicly). */
@Controller('internal/v1/mailboxes')
export class InternalMailboxController {
  constructor(
    private readonly mailboxes: MailboxesService,
    @Inject(INTERNAL_API_TOKEN) private readonly token: string,
  ) {}

  @Get(':id/transport')
  async transport(@Param('id', new ParseUUIDPipe()) id: string, @Headers('authorization') auth: string | undefined): Promise<Record<string, unknown>> {
    requireInternalToken(auth, this.token);
    const row = await this.mailboxes.findRow(id);
    if (!row || !row.smtp_host || !row.smtp_port) throw new NotFoundException({ error: 'mailbox_not_found' });
    return {
      mailboxId: row.id,
      orgId: row.org_id,
      emailAddress: row.email_address,
      state: row.state,
      provider: row.provider,
      smtp: {
        host: row.smtp_host,
        port: row.smtp_port,
        secure: row.smtp_secure ?? false,
        auth: row.username ? { user: row.username, pass: this.mailboxes.password(row) } : null,
      },
    };
  }
}
