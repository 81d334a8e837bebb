import { gmail as gmailApi } from '@googleapis/gmail';
import { createGraphClient, GmailMailTransport, GraphMailTransport, MailProviderError, SmtpMailTransport, type MailTransport } from '@telltale/mail';
import type { MailboxTransport } from './mailbox-transport.client';

/**
 * The provider adapter for a mailbox, from the shared @telltale/mail library (the same adapters
 * mailbox-sync uses). Gmail sends through users.messages.send, Graph as draft + send, both with the
 * short-lived token mailbox-sync handed out; IMAP mailboxes send over their SMTP server.
 */
export function createMailTransport(mailbox: MailboxTransport): MailTransport {
  switch (mailbox.provider) {
    case 'imap':
      return new SmtpMailTransport({
        host: mailbox.smtp.host,
        ...(mailbox.smtp.servername === undefined ? {} : { servername: mailbox.smtp.servername }),
        port: mailbox.smtp.port,
        secure: mailbox.smtp.secure,
        ...(mailbox.smtp.auth ? { auth: mailbox.smtp.auth } : {}),
      });
    case 'gmail': {
      const settings = mailbox.gmail;
      if (!settings) throw new MailProviderError('the Gmail mailbox has no usable authorization', { code: 'AUTH_REVOKED', provider: 'gmail' });
      const token = settings.accessToken;
      return new GmailMailTransport(gmailApi({ version: 'v1', rootUrl: settings.apiRootUrl }), { accessToken: async () => token });
    }
    case 'graph': {
      const settings = mailbox.graph;
      if (!settings) throw new MailProviderError('the Microsoft 365 mailbox has no usable authorization', { code: 'AUTH_REVOKED', provider: 'graph' });
      const token = settings.accessToken;
      return new GraphMailTransport(createGraphClient({ tokens: { accessToken: async () => token }, origin: settings.origin, ...(settings.caPem ? { ca: settings.caPem } : {}) }));
    }
  }
}
