import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { errors, type Provider } from 'oidc-provider';
import { PAGE_HEADERS, errorPage, signInPage } from './pages';
import { normalizeEmail, sandboxSubject, type SandboxUser } from './sandbox-users';

/** The path oidc-provider sends the browser to when a sign-in is needed (`interactions.url`). */
export const interactionPath = (uid: string): string => `/interaction/${uid}`;
const INTERACTION_ROUTE = /^\/interaction\/([\w-]{1,64})(\/abort)?$/;

const FORM_LIMIT_BYTES = 8 * 1024;
const FIELD_LIMIT_CHARS = 1024;
const WRONG_CREDENTIALS = 'That email and password do not match a sandbox user.';

/** A user as the issuer holds it: the password only as a digest, compared in constant time. */
export interface Account {
  sub: string;
  user: SandboxUser;
  passwordDigest: Buffer;
}

const digest = (value: string): Buffer => createHash('sha256').update(value, 'utf8').digest();

export function accountsOf(users: readonly SandboxUser[]): Map<string, Account> {
  const byEmail = new Map<string, Account>();
  for (const user of users) {
    const email = normalizeEmail(user.email);
    if (byEmail.has(email)) throw new Error(`sandbox user ${email} is listed twice`);
    byEmail.set(email, { sub: sandboxSubject(email), user, passwordDigest: digest(user.password) });
  }
  return byEmail;
}

/** The request error a page answers with: its status, a short title and what to do. */
class PageError extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly description: string,
  ) {
    super(title);
  }
}

async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/x-www-form-urlencoded') {
    throw new PageError(415, 'Unsupported form encoding', 'The sign-in form is sent as application/x-www-form-urlencoded.');
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > FORM_LIMIT_BYTES) throw new PageError(413, 'Form too large', 'The sign-in form is too large.');
    chunks.push(chunk);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

function send(res: ServerResponse, status: number, html: string): void {
  res.writeHead(status, PAGE_HEADERS);
  res.end(html);
}

/**
 * Serves `/interaction/:uid` (the sign-in form and its answer) and `/interaction/:uid/abort`.
 * Returns false for any other path, which is oidc-provider's to answer. Consent never gets here:
 * loadExistingGrant grants the configured clients what they ask for.
 */
export function interactionHandler(
  provider: Provider,
  accounts: Map<string, Account>,
): (req: IncomingMessage, res: ServerResponse, pathname: string) => boolean {
  const showForm = (res: ServerResponse, status: number, uid: string, clientId: string, email?: string, error?: string) =>
    send(
      res,
      status,
      signInPage({ action: interactionPath(uid), abortAction: `${interactionPath(uid)}/abort`, clientId, email, error }),
    );

  const handle = async (req: IncomingMessage, res: ServerResponse, uid: string, abort: boolean): Promise<void> => {
    const details = await provider.interactionDetails(req, res);
    if (details.uid !== uid) throw new errors.SessionNotFound('interaction uid does not match its cookie');
    const clientId = String(details.params.client_id ?? '');

    if (abort) {
      if (req.method !== 'POST') throw new PageError(405, 'Method not allowed', 'Cancel with the form’s button.');
      await provider.interactionFinished(
        req,
        res,
        { error: 'access_denied', error_description: 'The user cancelled the sign-in.' },
        { mergeWithLastSubmission: false },
      );
      return;
    }
    if (details.prompt.name !== 'login') {
      throw new PageError(400, 'Unsupported prompt', `The sandbox issuer does not ask for "${details.prompt.name}".`);
    }
    if (req.method === 'GET' || req.method === 'HEAD') {
      const hint = typeof details.params.login_hint === 'string' ? details.params.login_hint : undefined;
      showForm(res, 200, uid, clientId, hint?.slice(0, FIELD_LIMIT_CHARS));
      return;
    }
    if (req.method !== 'POST') throw new PageError(405, 'Method not allowed', 'The sign-in form is sent with POST.');

    const form = await readForm(req);
    const email = (form.get('email') ?? '').slice(0, FIELD_LIMIT_CHARS);
    const password = form.get('password') ?? '';
    const account = accounts.get(normalizeEmail(email));
    const given = digest(password.slice(0, FIELD_LIMIT_CHARS));
    // The digest is compared even for an unknown email, so both answers take the same time.
    const matches = timingSafeEqual(given, account?.passwordDigest ?? digest('\0no-such-user')) && account !== undefined;
    if (!matches) {
      showForm(res, 200, uid, clientId, email, WRONG_CREDENTIALS);
      return;
    }
    await provider.interactionFinished(
      req,
      res,
      { login: { accountId: account.sub, amr: ['pwd'] } },
      { mergeWithLastSubmission: false },
    );
  };

  return (req, res, pathname) => {
    const match = INTERACTION_ROUTE.exec(pathname);
    if (!match) return false;
    handle(req, res, match[1] as string, match[2] !== undefined).catch((error: unknown) => {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      if (error instanceof PageError) {
        send(res, error.status, errorPage(error.title, error.description));
      } else if (error instanceof errors.SessionNotFound) {
        send(res, 400, errorPage('This sign-in has expired', 'It took too long, was already finished, or the browser blocked the issuer’s cookies.'));
      } else {
        console.error(`oidc-sandbox: sign-in interaction failed: ${error instanceof Error ? error.message : String(error)}`);
        send(res, 500, errorPage('Server error', 'The sandbox issuer could not finish this sign-in.'));
      }
    });
    return true;
  };
}
