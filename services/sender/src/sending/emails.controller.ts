import { Body, Controller, Get, HttpCode, Inject, NotFoundException, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { Address, Uuid } from '@telltale/contracts';
import { CLOCK, type Clock } from '@telltale/db';
import { CurrentCaller, Members, ServiceRuntime, parseRequest, ownsOrOversees, type Caller, type Page } from '@telltale/runtime';
import { MailboxTransportClient } from '../clients/mailbox-transport.client';
import { SendEmailUseCase, type SendOutcome } from './send-email.use-case';
import { ListEmailsQuery, SentEmailQueries, type SentEmailRecord, type SentEmailSummary } from './sent-email.queries';

const MAX_BODY_CHARACTERS = 1_000_000;
const MAX_RECIPIENTS = 50;
const MAX_SUBJECT_CHARACTERS = 998;

/**
 * The most text a one-off email's fields hold together (html and text at their maximum, every
 * address with a name at its maximum): what the sender's JSON body limit is made from.
 */
export const ONE_OFF_EMAIL_MAX_CHARACTERS = 2 * MAX_BODY_CHARACTERS + MAX_SUBJECT_CHARACTERS + (2 * MAX_RECIPIENTS + 1) * (320 + 998);

export const OneOffEmailRequest = z
  .object({
    mailboxId: Uuid,
    from: Address,
    to: z.array(Address).min(1).max(MAX_RECIPIENTS),
    cc: z.array(Address).max(MAX_RECIPIENTS).default([]),
    subject: z.string().max(MAX_SUBJECT_CHARACTERS),
    html: z.string().max(MAX_BODY_CHARACTERS).nullable().default(null),
    text: z.string().max(MAX_BODY_CHARACTERS).nullable().default(null),
    tracking: z.object({ opens: z.boolean(), clicks: z.boolean() }).default({ opens: true, clicks: true }),
  })
  .strict()
  .refine((r) => r.html !== null || r.text !== null, 'html or text is required');

@Controller('v1/emails')
@Members('emails')
export class EmailsController {
  constructor(
    private readonly runtime: ServiceRuntime,
    private readonly sendEmail: SendEmailUseCase,
    private readonly sentEmails: SentEmailQueries,
    private readonly mailboxes: MailboxTransportClient,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** A one-off email (not part of a sequence), sent now. */
  @Post()
  @HttpCode(201)
  async send(@CurrentCaller() caller: Caller, @Body() body: unknown): Promise<SendOutcome> {
    const orgId = caller.orgId;
    const r = parseRequest(OneOffEmailRequest, body);
    await this.requireOwnMailbox(caller, r.mailboxId);
    await this.sendEmail.assertFromIsMailboxAddress(orgId, r.mailboxId, r.from.address);
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
        'api',
      ),
    );
  }

  /** `?enrollmentId=&mailboxId=&status=&cursor=&limit=` → `{ items: SentEmailSummary[], nextCursor }`, newest first. */
  @Get()
  list(@CurrentCaller() caller: Caller, @Query() query: unknown): Promise<Page<SentEmailSummary>> {
    return this.sentEmails.list(caller, parseRequest(ListEmailsQuery, query));
  }

  @Get(':id')
  async get(@CurrentCaller() caller: Caller, @Param('id', new ParseUUIDPipe()) id: string): Promise<SentEmailRecord> {
    const email = await this.sentEmails.findForOrg(caller.orgId, id);
    if (!email) throw new NotFoundException({ error: 'sent_email_not_found' });
    // A rep reads the emails of their own mailboxes only (the owner stored at send time; for older
    // emails, the mailbox's owner now); another rep's is not found.
    const visible = email.owner_user_id !== null ? ownsOrOversees(caller, email.owner_user_id) : await this.mailboxVisible(caller, email.mailbox_id);
    if (!visible) throw new NotFoundException({ error: 'sent_email_not_found' });
    return email;
  }

  /** Managers, admins and API keys act for the organisation; a rep only through a mailbox they connected. */
  private async mailboxVisible(caller: Caller, mailboxId: string): Promise<boolean> {
    if (ownsOrOversees(caller, null)) return true;
    const mailbox = await this.mailboxes.get(mailboxId);
    return mailbox !== null && mailbox.orgId === caller.orgId && ownsOrOversees(caller, mailbox.ownerUserId);
  }

  private async requireOwnMailbox(caller: Caller, mailboxId: string): Promise<void> {
    if (!(await this.mailboxVisible(caller, mailboxId))) throw new NotFoundException({ error: 'mailbox_not_found', message: 'No such mailbox of yours: a rep sends from a mailbox they connected.' });
  }
}
