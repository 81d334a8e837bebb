import type { ConnectionOptions } from 'node:tls';

import nodemailer from 'nodemailer';
import type { Mail, SMTPSentMessageInfo, SMTPTransportOptions } from 'nodemailer';

import { readHeaderSection, firstHeader } from './header-section';
import { MailProviderError } from './mail-provider-error';
import { silentMailLogger, type MailLogger } from './mail-logger';
import type { MailTransport, OutboundRawMessage, SendResult } from './mail-transport';
import { parseMessageIdList } from './message-id-list';
import { mapSmtpError } from './smtp-error-mapper';

export interface SmtpMailTransportOptions {
  /** The server's name, or an address already resolved and checked (then `servername` names it for TLS). */
  host: string;
  servername?: string;
  port: number;
  /** true: TLS from the first byte (port 465); false: plain, upgraded with STARTTLS when offered (587). */
  secure: boolean;
  auth?: { user: string; pass: string };
  /** Refuse to send unencrypted when the server does not offer STARTTLS. */
  requireTls?: boolean;
  tls?: ConnectionOptions;
  connectionTimeoutMs?: number;
  greetingTimeoutMs?: number;
  socketTimeoutMs?: number;
  logger?: MailLogger;
}

/**
 * Sends through a mailbox's SMTP submission server (RFC 6409) with nodemailer, one connection per
 * message. The raw message goes out byte for byte: nodemailer adds no headers to a raw message, so
 * the Message-ID we composed is the one recipients see.
 */
export class SmtpMailTransport implements MailTransport {
  private readonly transporter: Mail<SMTPSentMessageInfo, SMTPTransportOptions>;
  private readonly logger: MailLogger;

  constructor(private readonly options: SmtpMailTransportOptions) {
    this.logger = options.logger ?? silentMailLogger;
    this.transporter = nodemailer.createTransport({
      host: options.host,
      ...(options.servername === undefined ? {} : { servername: options.servername }),
      port: options.port,
      secure: options.secure,
      ...(options.auth === undefined ? {} : { auth: { user: options.auth.user, pass: options.auth.pass } }),
      ...(options.requireTls === undefined ? {} : { requireTLS: options.requireTls }),
      ...(options.tls === undefined ? {} : { tls: options.tls }),
      connectionTimeout: options.connectionTimeoutMs ?? 30_000,
      greetingTimeout: options.greetingTimeoutMs ?? 30_000,
      socketTimeout: options.socketTimeoutMs ?? 60_000,
      logger: false,
      debug: false,
    });
  }

  async send(message: OutboundRawMessage): Promise<SendResult> {
    const messageId = parseMessageIdList(firstHeader(readHeaderSection(message.raw).fields, 'message-id'))[0];
    if (messageId === undefined) {
      throw new MailProviderError('raw message has no Message-ID header', { code: 'PERMANENT', provider: 'smtp' });
    }
    if (message.envelope.to.length === 0) {
      throw new MailProviderError('envelope has no recipients', { code: 'PERMANENT', provider: 'smtp' });
    }
    let info: SMTPSentMessageInfo;
    try {
      info = await this.transporter.sendMail({ raw: message.raw, envelope: message.envelope });
    } catch (error) {
      const mapped = mapSmtpError(error);
      this.logger.warn(
        { host: this.options.host, messageId, code: mapped.code, providerStatus: mapped.providerStatus },
        'smtp send failed',
      );
      throw mapped;
    }
    const rejectedRecipients = info.rejected.map((address) => String(address).toLowerCase());
    this.logger.info(
      { host: this.options.host, messageId, accepted: info.accepted.length, rejected: rejectedRecipients.length },
      'smtp message accepted',
    );
    return {
      messageId,
      // SMTP gives no stable id for the stored message; the reply text may hold a queue id, which is not one.
      providerMessageId: null,
      providerThreadId: null,
      ...(rejectedRecipients.length === 0 ? {} : { rejectedRecipients }),
    };
  }

  /**
   * Connects, greets, upgrades with STARTTLS when offered and logs in, then quits, sending nothing:
   * whether this server and these credentials will do for sending.
   */
  async verify(): Promise<void> {
    try {
      await this.transporter.verify();
    } catch (error) {
      throw mapSmtpError(error);
    }
  }

  /** Releases the transport; safe to call more than once. */
  close(): void {
    this.transporter.close();
  }
}
