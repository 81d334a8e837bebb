import type { gmail_v1 } from 'googleapis';

import type { AccessTokenSource } from '../access-token-source';
import type { MailTransport, OutboundRawMessage, SendResult } from '../mail-transport';
import { MailProviderError } from '../mail-provider-error';
import { mapGmailError } from './gmail-error-mapper';

/**
 * Sends composed MIME through users.messages.send (raw, base64url). Gmail may rewrite the
 * Message-ID, so we read back the stored message's header and report the one recipients see,
 * with Gmail's message and thread ids.
 */
export class GmailMailTransport implements MailTransport {
  constructor(
    private readonly gmail: gmail_v1.Gmail,
    private readonly tokens: AccessTokenSource,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async send(message: OutboundRawMessage): Promise<SendResult> {
    try {
      const headers = { Authorization: `Bearer ${await this.tokens.accessToken()}` };
      const sent = await this.gmail.users.messages.send({ userId: 'me', requestBody: { raw: message.raw.toString('base64url') } }, { headers, retry: false });
      const id = sent.data.id;
      if (!id) throw new MailProviderError('Gmail: send answered without a message id', { code: 'TEMPORARY', provider: 'gmail' });
      const stored = await this.gmail.users.messages.get({ userId: 'me', id, format: 'metadata', metadataHeaders: ['Message-ID'] }, { headers, retry: false });
      const header = (stored.data.payload?.headers ?? []).find((h) => h.name?.toLowerCase() === 'message-id')?.value?.trim();
      const composedId = /^message-id:\s*(<[^>]+>)/im.exec(message.raw.subarray(0, 64 * 1024).toString('latin1').split(/\r?\n\r?\n/)[0] ?? '')?.[1];
      const messageId = header || composedId;
      if (!messageId) throw new MailProviderError('Gmail: sent message has no Message-ID', { code: 'PERMANENT', provider: 'gmail' });
      return { messageId, providerMessageId: id, providerThreadId: sent.data.threadId ?? stored.data.threadId ?? null };
    } catch (err) {
      throw mapGmailError(err, 'other', this.now());
    }
  }
}
