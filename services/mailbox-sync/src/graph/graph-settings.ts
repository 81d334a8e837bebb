import type { MicrosoftOAuth } from '@telltale/mail';

export const GRAPH_SETTINGS = Symbol('GRAPH_SETTINGS');
export const MICROSOFT_OAUTH = Symbol('MICROSOFT_OAUTH');

export interface GraphSettings {
  origin: string;
  /** PEM of an extra CA for a local Graph (tests); null in production. */
  caPem: string | null;
  pollMs: number;
  /** Public https URL of POST /v1/push/graph; without it Graph mailboxes are polled only. */
  notificationUrl: string | undefined;
}

export type MicrosoftOAuthProvider = MicrosoftOAuth | null;
