import type { Client } from '@microsoft/microsoft-graph-client';
import { z } from 'zod';

import type { MailTransport, OutboundRawMessage, SendResult } from '../mail-transport';
import { MailProviderError } from '../mail-provider-error';
import { mapGraphError } from './graph-error-mapper';

const draft = z.looseObject({ id: z.string(), internetMessageId: z.string().nullish(), conversationId: z.string().nullish() });

/**
 * Sends through Graph as draft + send (https://learn.microsoft.com/graph/api/user-post-messages,
 * MIME body), so the message's internetMessageId and conversationId are known before it leaves;
 * Exchange may assign its own Message-ID, and replies are indexed by what it actually used.
 */
export class GraphMailTransport implements MailTransport {
  constructor(
    private readonly client: Client,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async send(message: OutboundRawMessage): Promise<SendResult> {
    try {
      const created = draft.parse(await this.client.api('/me/messages').header('Content-Type', 'text/plain').post(message.raw.toString('base64')));
      await this.client.api(`/me/messages/${encodeURIComponent(created.id)}/send`).post(null);
      if (!created.internetMessageId) throw new MailProviderError('Microsoft Graph: draft has no internetMessageId', { code: 'PERMANENT', provider: 'graph' });
      return { messageId: created.internetMessageId, providerMessageId: created.id, providerThreadId: created.conversationId ?? null };
    } catch (err) {
      throw mapGraphError(err, this.now());
    }
  }
}
