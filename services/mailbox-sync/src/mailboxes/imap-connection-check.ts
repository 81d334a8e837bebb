import { BadRequestException, HttpException, HttpStatus, Inject, Injectable, UnprocessableEntityException } from '@nestjs/common';
import { checkImapLogin, MailProviderError, SmtpMailTransport, type MailServerAddress } from '@telltale/mail';
import { MailHostPolicy, MailHostRefused } from './mailbox-host-policy';

/** MAILBOX_CONNECT_TIMEOUT_MS. */
export const CONNECT_TIMEOUT_MS = Symbol('CONNECT_TIMEOUT_MS');

interface Endpoint {
  host: string;
  port: number;
  secure: boolean;
}

export interface ImapConnectionRequest {
  imap: Endpoint;
  smtp: Endpoint;
  username: string;
  password: string;
}

type Field = 'imap' | 'smtp';

/**
 * What `POST /v1/mailboxes` checks before it stores anything, within MAILBOX_CONNECT_TIMEOUT_MS:
 * both servers' hosts resolve to addresses a mailbox may use (MailHostPolicy), then the IMAP server
 * takes the login and the SMTP server the login for sending. Each failure is a coded error naming
 * the field: 400 `mailbox_host_not_allowed`, 422 `mailbox_host_not_found`, `mailbox_auth_failed`
 * or `mailbox_unreachable`. A connection dropped early is tried once more; nothing is retried in the
 * background for a mailbox that never connected.
 */
@Injectable()
export class ImapConnectionCheck {
  constructor(
    private readonly hosts: MailHostPolicy,
    @Inject(CONNECT_TIMEOUT_MS) private readonly timeoutMs: number,
  ) {}

  async verify(request: ImapConnectionRequest): Promise<void> {
    const [imap, smtp] = await Promise.all([this.resolve('imap', request.imap.host), this.resolve('smtp', request.smtp.host)]);
    const auth = { user: request.username, pass: request.password };
    await Promise.all([
      this.attempt('imap', request.imap, () => checkImapLogin({ server: imap, port: request.imap.port, secure: request.imap.secure, auth, timeoutMs: this.timeoutMs })),
      this.attempt('smtp', request.smtp, () => this.checkSmtpLogin(smtp, request.smtp, auth)),
    ]);
  }

  private async resolve(field: Field, host: string): Promise<MailServerAddress> {
    try {
      return await this.hosts.resolve(host);
    } catch (err) {
      if (!(err instanceof MailHostRefused)) throw err;
      const body = { error: err.problem === 'not_allowed' ? 'mailbox_host_not_allowed' : 'mailbox_host_not_found', field: `${field}.host`, message: err.message };
      throw err.problem === 'not_allowed' ? new BadRequestException(body) : new UnprocessableEntityException(body);
    }
  }

  private async checkSmtpLogin(server: MailServerAddress, endpoint: Endpoint, auth: { user: string; pass: string }): Promise<void> {
    const transport = new SmtpMailTransport({
      host: server.host,
      ...(server.servername === undefined ? {} : { servername: server.servername }),
      port: endpoint.port,
      secure: endpoint.secure,
      auth,
      connectionTimeoutMs: this.timeoutMs,
      greetingTimeoutMs: this.timeoutMs,
      socketTimeoutMs: this.timeoutMs,
    });
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        transport.verify(),
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new MailProviderError(`SMTP failed: no answer within ${this.timeoutMs} ms`, { code: 'TEMPORARY', provider: 'smtp' })), this.timeoutMs);
        }),
      ]);
    } finally {
      clearTimeout(timer);
      transport.close();
    }
  }

  /**
   * Runs one server's check; its MailProviderError becomes the caller's coded 422. A connection
   * the server dropped early (a temporary failure well inside the timeout, e.g. "Connection closed
   * unexpectedly" from a busy server) is tried once more before the person is told the server cannot
   * be used; a timeout or a refused login is not.
   */
  private async attempt(field: Field, endpoint: Endpoint, check: () => Promise<void>): Promise<void> {
    try {
      const startedAt = Date.now();
      try {
        await check();
      } catch (err) {
        const droppedEarly = err instanceof MailProviderError && err.code === 'TEMPORARY' && Date.now() - startedAt < this.timeoutMs / 2;
        if (!droppedEarly) throw err;
        await check();
      }
    } catch (err) {
      if (!(err instanceof MailProviderError)) throw err;
      const server = `the ${field.toUpperCase()} server ${endpoint.host}:${endpoint.port}`;
      const refusedLogin = err.code === 'AUTH_REVOKED' || err.code === 'INSUFFICIENT_PERMISSIONS';
      throw new HttpException(
        refusedLogin
          ? { error: 'mailbox_auth_failed', field: 'password', message: `${server} refused the username or password (${err.message})` }
          : { error: 'mailbox_unreachable', field, message: `${server} could not be used within ${this.timeoutMs} ms (${err.message})` },
        HttpStatus.UNPROCESSABLE_ENTITY,
      );
    }
  }
}
