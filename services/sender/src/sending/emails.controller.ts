import { Body, Controller, Get, Headers, HttpCode, Inject, NotFoundException, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { Address, Uuid } from '@telltale/contracts';
import { CLOCK, type Clock } from '@telltale/db';
import { ServiceRuntime, parseRequest, requireOrgId } from '@telltale/runtime';
import { SendEmailUseCase, type SendOutcome } from './send-email.use-case';
import { SentEmailQueries, type SentEmailRecord } from './sent-email.queries';

const OneOffEmailRequest = z
  .object({
    mailboxId: Uuid,
    from: Address,
    to: z.array(Address).min(1).max(50),
    cc: z.array(Address).max(50).default([]),
    subject: z.string().max(998),
    html: z.string().max(1_000_000).nullable().default(null),
    text: z.string().max(1_000_000).nullable().default(null),
    tracking: z.object({ opens: z.boolean(), clicks: z.boolean() }).default({ opens: true, clicks: true }),
  })
  .strict()
  .refine((r) => r.html !== null || r.text !== null, 'html or text is required');

@Controller('v1/emails')
export class EmailsController {
  constructor(
    private readonly runtime: ServiceRuntime,
    private readonly sendEmail: SendEmailUseCase,
    private readonly sentEmails: SentEmailQueries,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** A one-off email (not part of a sequence), sent now. */
  @Post()
  @HttpCode(201)
  async send(@Headers('x-org-id') org: string | undefined, @Body() body: unknown): Promise<SendOutcome> {
    const orgId = requireOrgId(org);
    const r = parseRequest(OneOffEmailRequest, body);
    return this.runtime.transaction((m) =>
      this.sendEmail.execute(
        {
          sendRequestId: randomUUID(),
          orgId,
          mailboxId: r.mailboxId,
          enrollmentId: null,
          sequenceId: null,
          stepNumber: null,
          from: r.from,
          to: r.to,
          cc: r.cc,
          subject: r.subject,
          html: r.html,
          text: r.text,
          replyToMessageId: null,
          tracking: r.tracking,
          notAfter: null,
          requestedAt: this.clock.now().toISOString(),
        },
        m,
      ),
    );
  }

  @Get(':id')
  async get(@Headers('x-org-id') org: string | undefined, @Param('id', new ParseUUIDPipe()) id: string): Promise<SentEmailRecord> {
    const email = await this.sentEmails.findForOrg(requireOrgId(org), id);
    if (!email) throw new NotFoundException({ error: 'sent_email_not_found' });
    return email;
  }
}
