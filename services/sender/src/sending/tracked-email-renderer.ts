import {
  buildClickUrl,
  buildOpenUrl,
  buildUnsubscribeUrl,
  htmlToPlainText,
  instrumentHtml,
  signTrackingToken,
  signUnsubscribeToken,
  type SigningKeyRing,
  type TrackedLink,
} from '@telltale/tracking';

export interface RenderInput {
  orgId: string;
  sentEmailId: string;
  html: string | null;
  text: string | null;
  trackOpens: boolean;
  trackClicks: boolean;
  issuedAt: Date;
}

export interface RenderedBody {
  html: string | null;
  /** Readable plain text with the original (untracked) link targets. */
  text: string;
  links: TrackedLink[];
}

/**
 * Adds the open pixel (near the top, see @telltale/tracking) and signed click URLs to an email body.
 * Pure apart from HMAC signing; the link table the caller stores comes from `links`.
 */
export class TrackedEmailRenderer {
  /**
   * `orgTrackingBaseUrls`: an org's own tracking domain, so reps of different orgs do not share a
   * link-domain reputation; the tracker answers on any host, tokens being self-contained.
   */
  constructor(
    private readonly keys: SigningKeyRing,
    private readonly trackingBaseUrl: string,
    private readonly orgTrackingBaseUrls: ReadonlyMap<string, string> = new Map(),
  ) {}

  /** The tracking base URL pixel and click URLs of this org's emails are built on. */
  trackingBaseUrlFor(orgId: string): string {
    return this.orgTrackingBaseUrls.get(orgId.toLowerCase()) ?? this.trackingBaseUrl;
  }

  /**
   * RFC 2369 `List-Unsubscribe` and RFC 8058 `List-Unsubscribe-Post` of a sequence email: an https URL
   * on the organisation's tracking domain whose signed token names the organisation, the enrollment
   * and the address, so the tracker's one-click POST needs nothing else (no cookie, no login).
   */
  listUnsubscribeHeaders(input: { orgId: string; enrollmentId: string; address: string; issuedAt: Date }): Record<string, string> {
    const url = buildUnsubscribeUrl(this.trackingBaseUrlFor(input.orgId), signUnsubscribeToken(input, this.keys));
    return { 'List-Unsubscribe': `<${url}>`, 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' };
  }

  render(input: RenderInput): RenderedBody {
    const text = input.text ?? (input.html ? htmlToPlainText(input.html) : '');
    if (input.html === null) return { html: null, text, links: [] };
    const base = this.trackingBaseUrlFor(input.orgId);
    const openPixelUrl = input.trackOpens
      ? buildOpenUrl(base, signTrackingToken({ kind: 'open', orgId: input.orgId, sentEmailId: input.sentEmailId, issuedAt: input.issuedAt }, this.keys))
      : null;
    const clickUrlFor = input.trackClicks
      ? (url: string, linkIndex: number) =>
          buildClickUrl(
            base,
            signTrackingToken({ kind: 'click', orgId: input.orgId, sentEmailId: input.sentEmailId, linkIndex, url, issuedAt: input.issuedAt }, this.keys),
          )
      : null;
    const instrumented = instrumentHtml(input.html, { openPixelUrl, clickUrlFor });
    return { html: instrumented.html, text, links: instrumented.links };
  }
}
