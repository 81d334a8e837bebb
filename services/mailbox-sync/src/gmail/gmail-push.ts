import { z } from 'zod';
import { textProblem } from '@telltale/runtime';

/** Cloud Pub/Sub push request body (https://cloud.google.com/pubsub/docs/push#receive_push). */
export const PubSubPushBody = z.object({
  message: z.object({
    data: z.string().max(10_000),
    messageId: z.string().max(200).optional(),
    message_id: z.string().max(200).optional(),
    publishTime: z.string().max(100).optional(),
    attributes: z.record(z.string(), z.string()).optional(),
  }),
  subscription: z.string().max(500),
});

/** What Gmail publishes (https://developers.google.com/gmail/api/guides/push#receiving_notifications). */
export const GmailPushData = z.object({ emailAddress: z.string().min(3).max(320).refine((a) => textProblem(a) === null), historyId: z.union([z.string().regex(/^\d+$/), z.number().nonnegative()]) });
export type GmailPushData = z.infer<typeof GmailPushData>;

/** Undefined when the data is not a Gmail notification. */
export function decodeGmailPush(body: unknown): GmailPushData | undefined {
  const push = PubSubPushBody.safeParse(body);
  if (!push.success) return undefined;
  try {
    const data = GmailPushData.safeParse(JSON.parse(Buffer.from(push.data.message.data, 'base64').toString('utf8')));
    return data.success ? data.data : undefined;
  } catch {
    return undefined;
  }
}
