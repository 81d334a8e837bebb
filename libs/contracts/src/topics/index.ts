import { campaignStopTopic } from './campaign-stop.topic';
import { crmActivityLoggedTopic } from './crm-activity-logged.topic';
import { crmConnectionChangedTopic } from './crm-connection-changed.topic';
import { documentConvertedTopic } from './document-converted.topic';
import { documentUploadedTopic } from './document-uploaded.topic';
import { emailBouncedTopic } from './email-bounced.topic';
import { emailComplainedTopic } from './email-complained.topic';
import { emailSendFailedTopic } from './email-send-failed.topic';
import { emailSendRequestedTopic } from './email-send-requested.topic';
import { emailSentTopic } from './email-sent.topic';
import { enrollmentPauseChangedTopic } from './enrollment-pause-changed.topic';
import { mailboxConnectionChangedTopic } from './mailbox-connection-changed.topic';
import { mailboxMessageReceivedTopic } from './mailbox-message-received.topic';
import { replyDetectedTopic } from './reply-detected.topic';
import { suppressionChangedTopic } from './suppression-changed.topic';
import { trackingEngagementTopic } from './tracking-engagement.topic';
import { trackingEngagementCorrectedTopic } from './tracking-engagement-corrected.topic';
import { unsubscribeRequestedTopic } from './unsubscribe-requested.topic';

export * from './campaign-stop.topic';
export * from './document-converted.topic';
export * from './document-uploaded.topic';
export * from './crm-activity-logged.topic';
export * from './crm-connection-changed.topic';
export * from './email-bounced.topic';
export * from './email-complained.topic';
export * from './email-send-failed.topic';
export * from './email-send-requested.topic';
export * from './email-sent.topic';
export * from './enrollment-pause-changed.topic';
export * from './mailbox-connection-changed.topic';
export * from './mailbox-message-received.topic';
export * from './reply-detected.topic';
export * from './suppression-changed.topic';
export * from './tracking-engagement.topic';
export * from './tracking-engagement-corrected.topic';
export * from './unsubscribe-requested.topic';

/** Every topic of the public event API, in catalogue order. */
export const allTopics = [
  emailSendRequestedTopic,
  emailSentTopic,
  emailSendFailedTopic,
  trackingEngagementTopic,
  trackingEngagementCorrectedTopic,
  mailboxMessageReceivedTopic,
  mailboxConnectionChangedTopic,
  replyDetectedTopic,
  emailBouncedTopic,
  emailComplainedTopic,
  campaignStopTopic,
  enrollmentPauseChangedTopic,
  suppressionChangedTopic,
  unsubscribeRequestedTopic,
  crmActivityLoggedTopic,
  crmConnectionChangedTopic,
  documentUploadedTopic,
  documentConvertedTopic,
] as const;
