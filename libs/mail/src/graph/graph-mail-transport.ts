import type { Client } from '@microsoft/microsoft-graph-client';
import { z } from 'zod';

import { firstHeader, readHeaderSection } from '../header-section';
import type { MailTransport, OutboundRawMessage, SendResult } from '../mail-transport';
import { MailProviderError } from '../mail-provider-error';
import { parseMessageIdList } from '../message-id-list';
import { IMMUTABLE_ID_PREFERENCE } from './graph-client';
import { mapGraphError } from './graph-error-mapper';

const messageResource = z.looseObject({ id: z.string(), internetMessageId: z.string().nullish(), conversationId: z.string().nullish() });

/** Ids that survive the draft's move to Sent Items. */
const IMMUTABLE_IDS = { Prefer: IMMUTABLE_ID_PREFERENCE };

/**
 * Sends through Graph as draft + send (https://learn.microsoft.com/graph/api/user-post-messages,
 * MIME body). Exchange may assign its own Message-ID, and replies are indexed by what it actually
 * used, so the result is the sent item's: with immutable ids the draft's id is the id of its copy in
 * Sent Items, read back after the send; if that copy is not there yet, the draft's values stand.
 */
export class GraphMailTransport implements MailTransport {
  constructor(
    private readonly client: Client,
    private readonly now: () => Date = () => new Date(),
  ) {}

  async send(message: OutboundRawMessage): Promise<SendResult> {
    let created: z.infer<typeof messageResource>;
    try {
      created = messageResource.parse(await this.client.api('/me/messages').headers(IMMUTABLE_IDS).header('Content-Type', 'text/plain').post(message.raw.toString('base64')));
    } catch (err) {
      throw mapGraphError(err, this.now());
    }
    const path = `/me/messages/${encodeURIComponent(created.id)}`;
    try {
      await this.client.api(`${path}/send`).headers(IMMUTABLE_IDS).post(null);
    } catch (err) {
      // Not sent: drop the draft, so a retry does not leave one more behind in the rep's Drafts.
      await this.client.api(path).headers(IMMUTABLE_IDS).delete().catch(() => undefined);
      throw mapGraphError(err, this.now());
    }
    // Sent from here on: whatever happens next must not turn this into a failure (a retry would send it twice).
    const sentItem = await this.client
      .api(path)
      .headers(IMMUTABLE_IDS)
      .select(['id', 'internetMessageId', 'conversationId'])
      .get()
      .then((body: unknown) => messageResource.safeParse(body).data)
      .catch(() => undefined);
    const messageId = sentItem?.internetMessageId ?? created.internetMessageId ?? parseMessageIdList(firstHeader(readHeaderSection(message.raw).fields, 'message-id'))[0];
    if (!messageId) throw new MailProviderError('Microsoft Graph: the sent message has no internetMessageId', { code: 'PERMANENT', provider: 'graph' });
    return { messageId, providerMessageId: created.id, providerThreadId: sentItem?.conversationId ?? created.conversationId ?? null };
  }
}
