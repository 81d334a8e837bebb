/**
 * Signing in and out at the sandbox issuer the way a browser would, with plain HTTP: follow the
 * issuer's redirects, keep its cookies, fill in its sign-in form, and stop at the first redirect
 * that leaves the issuer (the relying party's redirect_uri, never fetched). For tests; the
 * relying party under test does everything else with its real OpenID client.
 */

interface StoredCookie {
  name: string;
  value: string;
  path: string;
  expiresAt: number;
}

/** The cookies of one origin, as a browser keeps them (path-scoped, expiring), for one test "browser". */
export class CookieJar {
  private readonly cookies = new Map<string, StoredCookie>();

  /** Takes the Set-Cookie headers of a response to `url`. */
  store(url: URL, response: Response): void {
    for (const header of response.headers.getSetCookie()) {
      const [pair = '', ...attributes] = header.split(';');
      const separator = pair.indexOf('=');
      if (separator <= 0) continue;
      const cookie: StoredCookie = {
        name: pair.slice(0, separator).trim(),
        value: pair.slice(separator + 1).trim(),
        path: defaultPath(url),
        expiresAt: Infinity,
      };
      for (const attribute of attributes) {
        const [rawKey = '', ...rest] = attribute.split('=');
        const key = rawKey.trim().toLowerCase();
        const value = rest.join('=').trim();
        if (key === 'path' && value.startsWith('/')) cookie.path = value;
        if (key === 'expires' && cookie.expiresAt === Infinity) cookie.expiresAt = Date.parse(value);
        if (key === 'max-age') cookie.expiresAt = Date.now() + Number(value) * 1000;
      }
      const key = `${cookie.name};${cookie.path}`;
      if (!(cookie.expiresAt > Date.now())) this.cookies.delete(key);
      else this.cookies.set(key, cookie);
    }
  }

  /** The Cookie header for a request to `url` (one origin per jar: the caller keeps it to the issuer). */
  header(url: URL): string {
    const now = Date.now();
    return [...this.cookies.values()]
      .filter((cookie) => cookie.expiresAt > now && pathMatches(url.pathname, cookie.path))
      .sort((a, b) => b.path.length - a.path.length)
      .map((cookie) => `${cookie.name}=${cookie.value}`)
      .join('; ');
  }

  get size(): number {
    return this.cookies.size;
  }
}

function defaultPath(url: URL): string {
  const slash = url.pathname.lastIndexOf('/');
  return slash <= 0 ? '/' : url.pathname.slice(0, slash);
}

function pathMatches(requestPath: string, cookiePath: string): boolean {
  if (requestPath === cookiePath) return true;
  if (!requestPath.startsWith(cookiePath)) return false;
  return cookiePath.endsWith('/') || requestPath[cookiePath.length] === '/';
}

/** The issuer answered with something other than the next step of a sign-in or sign-out. */
export class SandboxHttpError extends Error {
  constructor(
    message: string,
    /** The status of the last answer. */
    readonly status: number,
    /** Its body (an HTML page), for assertions. */
    readonly body: string,
  ) {
    super(message);
    this.name = 'SandboxHttpError';
  }
}

/** The issuer showed the sign-in form again after the credentials were sent (wrong email or password). */
export class SignInRefusedError extends SandboxHttpError {
  constructor(
    /** The error the form shows. */
    readonly formError: string,
    status: number,
    body: string,
  ) {
    super(`the sandbox issuer refused the sign-in: ${formError}`, status, body);
    this.name = 'SignInRefusedError';
  }
}

const MAX_STEPS = 12;

interface HtmlForm {
  id: string | undefined;
  action: string;
  fields: Record<string, string>;
}

function decodeEntities(value: string): string {
  return value.replace(/&(amp|lt|gt|quot|#39);/g, (_match, entity: string) =>
    entity === 'amp' ? '&' : entity === 'lt' ? '<' : entity === 'gt' ? '>' : entity === 'quot' ? '"' : "'",
  );
}

function attribute(tag: string, name: string): string | undefined {
  const match = new RegExp(`\\s${name}="([^"]*)"`, 'i').exec(tag);
  return match ? decodeEntities(match[1] as string) : undefined;
}

/** The page's first POST form, with its hidden inputs (the issuer's pages are simple and its own). */
function firstForm(html: string): HtmlForm | undefined {
  const match = /<form\b[^>]*>([\s\S]*?)<\/form>/i.exec(html);
  if (!match) return undefined;
  const tag = /<form\b[^>]*>/i.exec(match[0])?.[0] ?? '';
  const action = attribute(tag, 'action');
  if (action === undefined || (attribute(tag, 'method') ?? '').toLowerCase() !== 'post') return undefined;
  const fields: Record<string, string> = {};
  for (const input of (match[1] as string).match(/<input\b[^>]*>/gi) ?? []) {
    const name = attribute(input, 'name');
    if (name !== undefined && attribute(input, 'type')?.toLowerCase() === 'hidden') fields[name] = attribute(input, 'value') ?? '';
  }
  return { id: attribute(tag, 'id'), action, fields };
}

function formError(html: string): string {
  const match = /<p class="error"[^>]*>([\s\S]*?)<\/p>/i.exec(html);
  return match ? decodeEntities(match[1] as string) : 'no error message shown';
}

type Step =
  | { kind: 'left'; url: URL }
  | { kind: 'page'; url: URL; status: number; html: string };

/** A browser stand-in for one issuer: requests with the jar's cookies, redirects followed within the issuer. */
class IssuerBrowser {
  constructor(
    private readonly origin: string,
    private readonly jar: CookieJar,
  ) {}

  async go(url: URL, body?: Record<string, string>): Promise<Step> {
    let next: { url: URL; body?: Record<string, string> } = { url, body };
    for (let step = 0; step < MAX_STEPS; step++) {
      if (next.url.origin !== this.origin) return { kind: 'left', url: next.url };
      const cookie = this.jar.header(next.url);
      const response = await fetch(next.url, {
        method: next.body ? 'POST' : 'GET',
        redirect: 'manual',
        headers: {
          accept: 'text/html',
          ...(cookie ? { cookie } : {}),
          ...(next.body ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
        },
        body: next.body ? new URLSearchParams(next.body).toString() : undefined,
      });
      this.jar.store(next.url, response);
      const location = response.headers.get('location');
      if (response.status >= 300 && response.status < 400 && location !== null) {
        await response.body?.cancel();
        next = { url: new URL(location, next.url) };
        continue;
      }
      return { kind: 'page', url: next.url, status: response.status, html: await response.text() };
    }
    throw new SandboxHttpError(`more than ${MAX_STEPS} redirects from ${url.origin}`, 0, '');
  }

  /** Submits a page's form as its (scripted or not) submit would: hidden fields plus `extra`. */
  submit(page: { url: URL; html: string }, form: HtmlForm, extra: Record<string, string> = {}): Promise<Step> {
    return this.go(new URL(form.action, page.url), { ...form.fields, ...extra });
  }
}

export interface SignInOverHttp {
  /** An authorization request URL of the sandbox issuer (e.g. from openid-client's buildAuthorizationUrl). */
  authorizationUrl: URL | string;
  email: string;
  password: string;
  /** The "browser"'s cookies: pass the same jar again for single sign-on or signOutOverHttp. A new one when omitted. */
  cookies?: CookieJar;
}

export interface SignedInOverHttp {
  /** Where the issuer sent the browser back: the client's redirect_uri with `code` and `state` (or `error`). */
  callbackUrl: URL;
  cookies: CookieJar;
  /** False when the issuer's session signed the user in without showing the form. */
  formShown: boolean;
}

/**
 * Follows an authorization request through the sandbox issuer: the sign-in form gets the email
 * and password, and the redirect back to the relying party is returned without being fetched.
 * Throws SignInRefusedError when the form comes back with an error (wrong password) and
 * SandboxHttpError when the issuer answers anything else (e.g. an error page for a bad request).
 */
export async function signInOverHttp(request: SignInOverHttp): Promise<SignedInOverHttp> {
  const start = new URL(request.authorizationUrl);
  const cookies = request.cookies ?? new CookieJar();
  const browser = new IssuerBrowser(start.origin, cookies);
  let formShown = false;
  let step = await browser.go(start);
  for (let round = 0; round < MAX_STEPS; round++) {
    if (step.kind === 'left') return { callbackUrl: step.url, cookies, formShown };
    const form = step.status === 200 ? firstForm(step.html) : undefined;
    if (form === undefined) {
      throw new SandboxHttpError(`the sandbox issuer answered ${step.status} at ${step.url.pathname}`, step.status, step.html);
    }
    if (form.id === 'sign-in') {
      if (formShown) throw new SignInRefusedError(formError(step.html), step.status, step.html);
      formShown = true;
      step = await browser.submit(step, form, { email: request.email, password: request.password });
    } else {
      // A self-submitting page of oidc-provider's (e.g. ending another user's session first).
      step = await browser.submit(step, form);
    }
  }
  throw new SandboxHttpError('the sign-in did not finish', 0, '');
}

export interface SignOutOverHttp {
  /** An RP-initiated logout URL (e.g. from openid-client's buildEndSessionUrl). */
  endSessionUrl: URL | string;
  /** The jar the sign-in used, which holds the issuer's session cookie. */
  cookies: CookieJar;
}

/**
 * Follows an RP-initiated logout through the sandbox issuer and confirms it ("Sign out"). Returns
 * where the issuer sent the browser: the client's post_logout_redirect_uri (with `state`) when the
 * request named one, otherwise the issuer's own signed-out page.
 */
export async function signOutOverHttp(request: SignOutOverHttp): Promise<{ redirectUrl: URL }> {
  const start = new URL(request.endSessionUrl);
  const browser = new IssuerBrowser(start.origin, request.cookies);
  const page = await browser.go(start);
  if (page.kind === 'left') return { redirectUrl: page.url };
  const form = page.status === 200 ? firstForm(page.html) : undefined;
  if (form === undefined) {
    throw new SandboxHttpError(`the sandbox issuer answered ${page.status} at ${page.url.pathname}`, page.status, page.html);
  }
  const done = await browser.submit(page, form, { logout: 'yes' });
  if (done.kind === 'left') return { redirectUrl: done.url };
  if (done.status !== 200) {
    throw new SandboxHttpError(`the sandbox issuer answered ${done.status} at ${done.url.pathname}`, done.status, done.html);
  }
  return { redirectUrl: done.url };
}
