export {
  generateSigningKeySpec,
  MIN_SIGNING_KEY_BYTES,
  parseSigningKeys,
  SIGNING_KEY_ID_PATTERN,
  SigningKeyRing,
  SigningKeySpecError,
  type SigningKey,
} from './signing-key-ring';
export type { ClickClaims, OpenClaims, TrackingClaims } from './tracking-claims';
export {
  DEFAULT_TOKEN_MAX_AGE_DAYS,
  signTrackingToken,
  verifyTrackingToken,
  type TrackingTokenRejection,
  type TrackingTokenVerification,
  type VerifyTrackingTokenOptions,
} from './tracking-token';
export { MAX_TOKEN_CHARS, MIN_TOKEN_CHARS } from './tracking-token-codec';
export {
  checkRedirectUrl,
  isSafeRedirectUrl,
  MAX_CLICK_URL_BYTES,
  type RedirectUrlCheck,
  type RedirectUrlRejection,
} from './redirect-url-policy';
export { buildClickUrl, buildOpenUrl } from './tracking-url';
export { instrumentHtml, type InstrumentedHtml, type InstrumentHtmlOptions, type TrackedLink } from './html-instrumenter';
export { htmlToPlainText } from './html-to-plain-text';
export { decideLinkTracking, type LinkCandidate, type LinkDecision, type LinkSkipReason } from './link-tracking-policy';
export { looksLikeUnsubscribeLink } from './unsubscribe-link-detector';
export {
  buildUnsubscribeUrl,
  MAX_UNSUBSCRIBE_TOKEN_CHARS,
  signUnsubscribeToken,
  verifyUnsubscribeToken,
  type UnsubscribeClaims,
  type UnsubscribeTokenVerification,
} from './unsubscribe-token';
