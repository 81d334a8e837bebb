import { randomUUID } from 'node:crypto';

import { ImapFlow, type FetchMessageObject } from 'imapflow';

import { composeOutboundMessage, SmtpMailTransport, type SendResult } from '../../src';
import type { MailServerEnv } from './mail-server-env';

/** A fresh address per test, so tests sharing one GreenMail never see each other's mail. */
export function uniqueMailbox(): string {
  return `t-${randomUUID()}@telltale.test`;
}

/**
 * Test-side access to a GreenMail mailbox: sends through real SMTP and inspects through a
 * separate IMAP session. GreenMail runs with authentication disabled, so any password logs in.
 */
export class GreenMailMailbox {
  constructor(private readonly server: MailServerEnv, readonly address: string) {}

  async send(subject: string): Promise<SendResult & { composedMessageId: string }> {
    const composed = await composeOutboundMessage({
      from: { address: 'sender@prospect.test', name: 'Prospect' },
      to: [{ address: this.address, name: null }],
      cc: [],
      subject,
      html: `<p>${subject}</p>`,
      text: subject,
      messageIdDomain: 'prospect.test',
    });
    const transport = new SmtpMailTransport({ host: this.server.host, port: this.server.smtpPort, secure: false });
    try {
      const result = await transport.send({ raw: composed.raw, envelope: composed.envelope });
      return { ...result, composedMessageId: composed.messageId };
    } finally {
      transport.close();
    }
  }

  async withSession<T>(work: (client: ImapFlow) => Promise<T>): Promise<T> {
    const client = new ImapFlow({
      host: this.server.host,
      port: this.server.imapPort,
      secure: false,
      auth: { user: this.address, pass: 'any' },
      logger: false,
      disableAutoIdle: true,
    });
    await client.connect();
    try {
      return await work(client);
    } finally {
      await client.logout().catch(() => client.close());
    }
  }

  async messageCount(folder = 'INBOX'): Promise<number> {
    return this.withSession(async (client) => {
      const status = await client.status(folder, { messages: true });
      return status === false ? -1 : (status.messages ?? -1);
    });
  }

  async createFolder(folder: string): Promise<void> {
    await this.withSession(async (client) => {
      await client.mailboxCreate(folder);
    });
  }

  /** Puts a message straight into a folder, as a server-side filter rule would. */
  async appendTo(folder: string, subject: string): Promise<string> {
    const messageId = `<${randomUUID()}@prospect.test>`;
    const raw = [
      'From: Prospect <sender@prospect.test>',
      `To: ${this.address}`,
      `Subject: ${subject}`,
      `Message-ID: ${messageId}`,
      'Date: Mon, 3 Feb 2025 10:00:00 +0000',
      '',
      subject,
      '',
    ].join('\r\n');
    await this.withSession(async (client) => {
      await client.append(folder, raw);
    });
    return messageId;
  }

  /** APPENDs one message per subject, in order, over one session; UIDs follow that order. */
  async appendMany(folder: string, subjects: string[]): Promise<void> {
    await this.withSession(async (client) => {
      for (const subject of subjects) {
        const raw = ['From: Prospect <sender@prospect.test>', `To: ${this.address}`, `Subject: ${subject}`, `Message-ID: <${randomUUID()}@prospect.test>`, '', subject, ''].join('\r\n');
        await client.append(folder, raw);
      }
    });
  }

  /** Deletes and expunges messages by UID, as a user emptying the trash would. */
  async expunge(folder: string, uids: number[]): Promise<void> {
    await this.withSession(async (client) => {
      await client.mailboxOpen(folder);
      await client.messageDelete(uids.join(','), { uid: true });
    });
  }

  async fetchAll(folder = 'INBOX'): Promise<FetchMessageObject[]> {
    return this.withSession(async (client) => {
      await client.mailboxOpen(folder, { readOnly: true });
      return client.fetchAll('1:*', { uid: true, flags: true, source: true });
    });
  }
}
