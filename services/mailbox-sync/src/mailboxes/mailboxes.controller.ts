import { setTimeout as delay } from 'node:timers/promises';
import { Body, ConflictException, Controller, Delete, ForbiddenException, Get, HttpCode, Inject, Param, ParseUUIDPipe, Patch, Post } from '@nestjs/common';
import { CurrentCaller, Members, parseRequest, seesWholeOrganisation, type Caller } from '@telltale/runtime';
import { MailboxFollowers } from '../sync/mailbox-followers';
import { requireVisibleMailbox } from './mailbox-access';
import { MailboxFolders, type MailboxFoldersView } from './mailbox-folders';
import type { MailboxView, UnreadableMessageView } from './mailbox-record';
import { MailboxDisconnections } from './mailbox-disconnections.service';
import { CONNECT_TIMEOUT_MS, ImapConnectionCheck } from './imap-connection-check';
import { ConnectImapMailboxRequest, MailboxesService, ReconnectImapMailboxRequest, reconnectProblem, reconnectRequest, UpdateMailboxRequest } from './mailboxes.service';

@Controller('v1/mailboxes')
@Members('mailboxes')
export class MailboxesController {
  constructor(
    private readonly mailboxes: MailboxesService,
    private readonly followers: MailboxFollowers,
    private readonly disconnections: MailboxDisconnections,
    private readonly connectionCheck: ImapConnectionCheck,
    private readonly folders: MailboxFolders,
    @Inject(CONNECT_TIMEOUT_MS) private readonly connectTimeoutMs: number,
  ) {}

  /**
   * Connects an IMAP/SMTP mailbox. Both servers are checked first (ImapConnectionCheck: allowed
   * addresses, both logins), so a wrong host, port or password is a coded 4xx within
   * MAILBOX_CONNECT_TIMEOUT_MS and nothing is stored; then it answers once the first sync finished,
   * or `syncing` if that takes longer than the same time.
   */
  @Post()
  @HttpCode(201)
  async connect(@CurrentCaller() caller: Caller, @Body() body: unknown): Promise<MailboxView> {
    const orgId = caller.orgId;
    const request = parseRequest(ConnectImapMailboxRequest, body);
    if (request.ownerUserId && request.ownerUserId !== caller.userId && !caller.roles.includes('admin')) {
      throw new ForbiddenException({ error: 'forbidden', message: "Only an admin connects a mailbox for someone else (ownerUserId)." });
    }
    await this.connectionCheck.verify(request);
    const row = await this.mailboxes.connect(orgId, { ...request, ownerUserId: request.ownerUserId ?? caller.userId ?? undefined });
    await this.mailboxes.claimOwner(row.id, request.ownerUserId ?? caller.userId);
    await Promise.race([this.followers.follow(row), delay(this.connectTimeoutMs)]);
    return this.mailboxes.view(await this.mailboxes.getRow(orgId, row.id));
  }

  /**
   * Reconnects an IMAP mailbox in needs_reconnect (its password changed) or disconnected:
   * `{ password, username? }` on its stored servers, both logins checked first like POST (422 with
   * the same codes, nothing stored), then it syncs again from where it stopped and answers like POST.
   * 409 mailbox_not_imap for Gmail and Microsoft (their OAuth flow is the reconnect), 409
   * mailbox_connected when there is nothing to reconnect.
   */
  @Post(':id/reconnect')
  @HttpCode(200)
  async reconnect(@CurrentCaller() caller: Caller, @Param('id', new ParseUUIDPipe()) id: string, @Body() body: unknown): Promise<MailboxView> {
    const login = parseRequest(ReconnectImapMailboxRequest, body);
    const row = requireVisibleMailbox(caller, await this.mailboxes.getRow(caller.orgId, id));
    const problem = reconnectProblem(row);
    if (problem) throw new ConflictException(problem);
    const request = reconnectRequest(row, login);
    await this.connectionCheck.verify(request);
    const reconnected = await this.mailboxes.reconnectImap(caller.orgId, id, request);
    // A follower that gave up on the old password is replaced by one with the new.
    await this.followers.unfollow(id);
    await Promise.race([this.followers.follow(reconnected), delay(this.connectTimeoutMs)]);
    return this.mailboxes.view(await this.mailboxes.getRow(caller.orgId, id));
  }

  @Get()
  list(@CurrentCaller() caller: Caller): Promise<MailboxView[]> {
    // A rep lists the mailboxes they connected; managers, admins and API keys the organisation's.
    const wholeOrg = caller.kind === 'api_key' || seesWholeOrganisation(caller);
    return this.mailboxes.list(caller.orgId, wholeOrg ? null : caller.userId);
  }

  @Get(':id')
  async get(@CurrentCaller() caller: Caller, @Param('id', new ParseUUIDPipe()) id: string): Promise<MailboxView> {
    return this.mailboxes.view(requireVisibleMailbox(caller, await this.mailboxes.getRow(caller.orgId, id)));
  }

  /**
   * Changes which folders an IMAP mailbox follows, without reconnecting: `{ folders: [...] }` (INBOX
   * first is watched with IDLE, the others checked periodically) or `{ folders: 'all' }` (every folder
   * but Sent, Drafts, Trash and Junk, new ones included). A folder new to the mailbox is read back
   * over the last 30 days, so a reply already filed there is found. 409 mailbox_not_imap for Gmail
   * and Microsoft (they follow every such folder already); 404 like GET.
   */
  @Patch(':id')
  async update(@CurrentCaller() caller: Caller, @Param('id', new ParseUUIDPipe()) id: string, @Body() body: unknown): Promise<MailboxView> {
    const request = parseRequest(UpdateMailboxRequest, body);
    requireVisibleMailbox(caller, await this.mailboxes.getRow(caller.orgId, id));
    const row = await this.mailboxes.updateFolders(caller.orgId, id, request.folders);
    if (this.followers.isFollowing(id)) {
      // The follower picks the new list up on a new connection; its cursors are kept.
      await this.followers.unfollow(id);
      await Promise.race([this.followers.follow(row), delay(this.connectTimeoutMs)]);
    }
    return this.mailboxes.view(await this.mailboxes.getRow(caller.orgId, id));
  }

  /**
   * The folders the mailbox has (an IMAP LIST over a short connection of its own), each with its
   * SPECIAL-USE role and whether it is followed, for choosing them with PATCH. Gmail and Microsoft
   * answer `choosable: false` with a note: they follow all mail. 409 mailbox_disconnected; 422
   * mailbox_auth_failed or mailbox_unreachable when the server refuses or does not answer in time;
   * 404 like GET.
   */
  @Get(':id/folders')
  async listFolders(@CurrentCaller() caller: Caller, @Param('id', new ParseUUIDPipe()) id: string): Promise<MailboxFoldersView> {
    return this.folders.list(requireVisibleMailbox(caller, await this.mailboxes.getRow(caller.orgId, id)));
  }

  /**
   * The latest messages (at most 100, newest first) the sync could not turn into an event and passed
   * over, with the reason; never their content. Unknown id, or another org's: 404 `mailbox_not_found`.
   */
  @Get(':id/unreadable-messages')
  async unreadable(@CurrentCaller() caller: Caller, @Param('id', new ParseUUIDPipe()) id: string): Promise<UnreadableMessageView[]> {
    requireVisibleMailbox(caller, await this.mailboxes.getRow(caller.orgId, id));
    return this.mailboxes.unreadableMessages(caller.orgId, id, 100);
  }

  /**
   * Disconnects the mailbox (any provider): replies stop being tracked, sends stop, the stored
   * credentials are wiped, provider push is cancelled and a Google grant revoked (best-effort).
   * Answers 200 with the mailbox view (state `disconnected`); idempotent: disconnecting it again answers
   * the same 200 and changes nothing. Unknown id, or another org's: 404 `mailbox_not_found`, like GET.
   * Connecting the same address again (POST /v1/mailboxes, or the OAuth flow) brings it back.
   */
  @Delete(':id')
  @HttpCode(200)
  async disconnect(@CurrentCaller() caller: Caller, @Param('id', new ParseUUIDPipe()) id: string): Promise<MailboxView> {
    requireVisibleMailbox(caller, await this.mailboxes.getRow(caller.orgId, id));
    return this.disconnections.disconnect(caller.orgId, id);
  }
}
