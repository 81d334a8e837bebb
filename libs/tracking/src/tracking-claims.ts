/** What a tracking token asserts. Ids are UUIDs; verified claims always carry them lower-case. */
export interface OpenClaims {
  kind: 'open';
  orgId: string;
  sentEmailId: string;
  issuedAt: Date;
}

export interface ClickClaims {
  kind: 'click';
  orgId: string;
  sentEmailId: string;
  /** Position of the link among the tracked links of the email, from `instrumentHtml`. */
  linkIndex: number;
  /** The redirect target fixed at send time. */
  url: string;
  issuedAt: Date;
}

export type TrackingClaims = OpenClaims | ClickClaims;
