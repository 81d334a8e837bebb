const TOKEN_CHARACTERS = /^[A-Za-z0-9_-]+$/;

/**
 * The tracker's public base URL without trailing slashes. It may carry a path prefix
 * (`https://t.example.com/track`) but no query, fragment or credentials.
 */
function normaliseBase(trackingBaseUrl: string): string {
  let parsed: URL;
  try {
    parsed = new URL(trackingBaseUrl);
  } catch {
    throw new TypeError('trackingBaseUrl must be an absolute http(s) URL');
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new TypeError('trackingBaseUrl must be an absolute http(s) URL');
  }
  if (parsed.search !== '' || parsed.hash !== '' || parsed.username !== '' || parsed.password !== '') {
    throw new TypeError('trackingBaseUrl must not carry a query, fragment or credentials');
  }
  return parsed.href.replace(/\/+$/, '');
}

function buildTrackingUrl(trackingBaseUrl: string, route: 'o' | 'c', token: string): string {
  if (!TOKEN_CHARACTERS.test(token)) throw new TypeError('token must be base64url');
  return `${normaliseBase(trackingBaseUrl)}/${route}/${token}`;
}

/** `<base>/o/<token>`: the open pixel. */
export function buildOpenUrl(trackingBaseUrl: string, token: string): string {
  return buildTrackingUrl(trackingBaseUrl, 'o', token);
}

/** `<base>/c/<token>`: the click redirect. */
export function buildClickUrl(trackingBaseUrl: string, token: string): string {
  return buildTrackingUrl(trackingBaseUrl, 'c', token);
}
