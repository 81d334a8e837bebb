import type { gmail_v1 } from '@googleapis/gmail';

import type { AccessTokenSource } from '../access-token-source';
import { firstHeader, readHeaderSection } from '../header-section';
import type { MailTransport, OutboundRawMessage, SendResult } from '../mail-transport';
import { MailProviderError } from '../mail-provider-error';
import { parseMessageIdList } from '../message-id-list';
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
    const composedId = parseMessageIdList(firstHeader(readHeaderSection(message.raw).fields, 'message-id'))[0];
    let headers: { Authorization: string };
    let sent: gmail_v1.Schema$Message;
    try {
      headers = { Authorization: `Bearer ${await this.tokens.accessToken()}` };
      sent = (await this.gmail.users.messages.send({ userId: 'me', requestBody: { raw: message.raw.toString('base64url') } }, { headers, retry: false })).data;
    } catch (err) {
      throw mapGmailError(err, 'other', this.now());
    }
    const id = sent.id;
    if (!id) throw new MailProviderError('Gmail: send answered without a message id', { code: 'TEMPORARY', provider: 'gmail' });
    // Sent from here on: a failed read-back must not turn this into a failure (a retry would send it twice).
    const stored = await this.gmail.users.messages
      .get({ userId: 'me', id, format: 'metadata', metadataHeaders: ['Message-ID'] }, { headers, retry: false })
      .then((answer) => answer.data)
      .catch(() => undefined);
    const header = (stored?.payload?.headers ?? []).find((h) => h.name?.toLowerCase() === 'message-id')?.value?.trim();
    const messageId = header || composedId;
    if (!messageId) throw new MailProviderError('Gmail: sent message has no Message-ID', { code: 'PERMANENT', provider: 'gmail' });
    return { messageId, providerMessageId: id, providerThreadId: sent.threadId ?? stored?.threadId ?? null };
  }
}
