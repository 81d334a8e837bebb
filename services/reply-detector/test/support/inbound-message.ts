import type { InboundMessage } from '../../src';

/** A plain human message; tests override what they are about. */
export function inboundMessage(over: Partial<InboundMessage>): InboundMessage {
  return {
    providerMessageId: 'p',
    providerThreadId: null,
    folder: 'INBOX',
    messageId: '<in@buyer.com>',
    inReplyTo: [],
    references: [],
    threadIndex: null,
    threadTopic: null,
    from: { address: 'pat@buyer.com', name: null },
    sender: null,
    to: [],
    cc: [],
    replyTo: [],
    subject: 'Re: hi',
    date: null,
    receivedAt: '2026-11-22T00:00:00.000Z',
    autoReplyMarkers: { autoSubmitted: null, precedence: null, xAutoreply: null, xAutorespond: null, xAutoResponseSuppress: null, xFailedRecipients: null, returnPath: null },
    listId: null,
    listUnsubscribe: null,
    contentType: 'text/plain',
    reportType: null,
    textBody: 'hello',
    textBodyTruncated: false,
    deliveryStatus: [],
    enclosedOriginal: null,
    sizeBytes: 10,
    ...over,
  };
}
