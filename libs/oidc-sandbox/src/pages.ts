/**
 * The sandbox issuer's HTML: the sign-in form, the sign-out confirmation and the error page.
 * Plain server-rendered forms without scripts, so a browser and a test's HTTP client drive them
 * the same way. Everything echoed goes through escapeHtml.
 */

export function escapeHtml(value: string): string {
  return value
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** Security headers for every page the issuer renders. No form-action: the sign-in form's answer redirects to the relying party. */
export const PAGE_HEADERS: Readonly<Record<string, string>> = {
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-store',
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'x-content-type-options': 'nosniff',
};

const STYLE = `
body{font-family:system-ui,sans-serif;background:#f4f5f7;color:#1d2433;margin:0}
main{max-width:22rem;margin:4rem auto;background:#fff;padding:2rem;border-radius:8px;box-shadow:0 1px 3px rgba(0,0,0,.15)}
h1{font-size:1.3rem;margin:0 0 .25rem}
p.note{color:#5b6475;font-size:.85rem;margin:0 0 1.5rem}
label{display:block;font-size:.9rem;margin:1rem 0 .25rem}
input{box-sizing:border-box;width:100%;padding:.55rem;font-size:1rem;border:1px solid #b8bfcc;border-radius:4px}
button{margin-top:1.5rem;width:100%;padding:.6rem;font-size:1rem;border:0;border-radius:4px;background:#2454d6;color:#fff;cursor:pointer}
button.secondary{background:none;color:#2454d6;margin-top:.5rem}
p.error{color:#b3261e;background:#fdecea;padding:.6rem;border-radius:4px}`;

function layout(title: string, body: string): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
${body}
</main>
</body>
</html>`;
}

export interface SignInPage {
  /** Where the form posts: the interaction's own path. */
  action: string;
  /** Where the cancel button posts. */
  abortAction: string;
  clientId: string;
  email?: string;
  error?: string;
}

/** The sign-in form. The form's id (`sign-in`) and field names are what signInOverHttp looks for. */
export function signInPage(page: SignInPage): string {
  const error = page.error === undefined ? '' : `<p class="error" role="alert">${escapeHtml(page.error)}</p>\n`;
  return layout(
    'Sign in · Telltale sandbox',
    `<h1>Sign in</h1>
<p class="note">to continue to ${escapeHtml(page.clientId)} · Telltale sandbox identity provider (local only)</p>
${error}<form id="sign-in" method="post" action="${escapeHtml(page.action)}">
<label for="email">Email</label>
<input id="email" name="email" type="email" autocomplete="username" required autofocus value="${escapeHtml(page.email ?? '')}">
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required>
<button type="submit">Sign in</button>
</form>
<form method="post" action="${escapeHtml(page.abortAction)}">
<button class="secondary" type="submit">Cancel</button>
</form>`,
  );
}

/**
 * The RP-initiated logout confirmation. `form` is oidc-provider's form (it carries the anti-CSRF
 * value); the buttons submit it, `logout=yes` ending the whole session.
 */
export function signOutPage(host: string, form: string): string {
  return layout(
    'Sign out · Telltale sandbox',
    `<h1>Sign out</h1>
<p class="note">of the Telltale sandbox identity provider at ${escapeHtml(host)}?</p>
${form}
<button type="submit" form="op.logoutForm" name="logout" value="yes" autofocus>Sign out</button>
<button class="secondary" type="submit" form="op.logoutForm">Stay signed in</button>`,
  );
}

export function signedOutPage(): string {
  return layout('Signed out · Telltale sandbox', '<h1>Signed out</h1>\n<p class="note">You can close this page.</p>');
}

export function errorPage(error: string, description: string | undefined): string {
  const detail = description === undefined ? '' : `<p>${escapeHtml(description)}</p>\n`;
  return layout(
    'Sign-in problem · Telltale sandbox',
    `<h1>Sign-in problem</h1>\n<p class="error" role="alert">${escapeHtml(error)}</p>\n${detail}<p class="note">Go back to the application and sign in again.</p>`,
  );
}
