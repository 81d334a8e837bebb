import { parse } from 'cookie';

/** The device cookie on the tracking domain (self-view filtering). */
export const DEVICE_COOKIE = 'tt_dev';

/** 400 days, the longest lifetime browsers keep (RFC 6265bis §5.5); registering again renews it. */
export const DEVICE_COOKIE_MAX_AGE_SECONDS = 400 * 86_400;

/** The device cookie's value from a Cookie header (RFC 6265 §5.4, read by `cookie`), or null when absent or not one of ours. */
export function readDeviceCookie(header: string | undefined): string | null {
  if (!header) return null;
  const value = parse(header)[DEVICE_COOKIE];
  return value !== undefined && /^[A-Za-z0-9_-]{20,100}$/.test(value) ? value : null;
}

/**
 * Set-Cookie for a registered device. Pixels load cross-site (inside a webmail page), so the cookie
 * must be SameSite=None, which browsers accept only with Secure; over plain http (local use) it
 * falls back to Lax and self-filtering then only works for top-level navigations.
 */
export function deviceSetCookie(value: string, secure: boolean): string {
  const attrs = [`${DEVICE_COOKIE}=${value}`, 'Path=/', `Max-Age=${DEVICE_COOKIE_MAX_AGE_SECONDS}`, 'HttpOnly'];
  attrs.push(secure ? 'Secure; SameSite=None' : 'SameSite=Lax');
  return attrs.join('; ');
}
