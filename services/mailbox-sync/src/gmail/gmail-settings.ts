import type { GoogleOAuth } from '@telltale/mail';

export const GMAIL_SETTINGS = Symbol('GMAIL_SETTINGS');
export const GOOGLE_OAUTH = Symbol('GOOGLE_OAUTH');

export interface GmailSettings {
  apiRootUrl: string;
  pollMs: number;
  pubsubTopic: string | undefined;
}

/** Null when the deployment has no Google OAuth client: Gmail connections are then refused with a clear error. */
export type GoogleOAuthProvider = GoogleOAuth | null;
