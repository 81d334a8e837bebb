import { Controller, Get, HttpCode, HttpException, Inject, Post, Query, Req, Res } from '@nestjs/common';
import type { Response } from 'express';
import { parse as parseCookies, serialize } from 'cookie';
import { CurrentCaller, Members, Public, ServiceRuntime, type Caller } from '@telltale/runtime';
import { z } from 'zod';
import { cookieNames, type AppRequest } from '../sessions/app-authenticator';
import { SESSION_POLICY, SessionsService, type SessionPolicy } from '../sessions/sessions.service';
import { APP_ORIGIN, SignInService, safeReturnPath } from './sign-in.service';

export const SignInQuery = z.object({ email: z.email().max(320).optional(), returnTo: z.string().max(1000).optional() }).strict();

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function signInPage(message: string | null): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>Sign in · Telltale</title>
<style>body{font:16px system-ui,sans-serif;display:grid;place-items:center;min-height:100vh;margin:0;background:#f6f7f9}form{background:#fff;padding:2rem;border-radius:12px;box-shadow:0 1px 4px #0002;width:min(22rem,90vw)}h1{font-size:1.3rem;margin:0 0 1rem}label{display:block;margin-bottom:.4rem}input{width:100%;box-sizing:border-box;padding:.6rem;font:inherit;margin-bottom:1rem}button{width:100%;padding:.6rem;font:inherit;background:#1f5eff;color:#fff;border:0;border-radius:6px}.error{color:#b00020}</style></head>
<body><form method="get" action="/auth/sign-in"><h1>Sign in to Telltale</h1>${message ? `<p class="error" role="alert">${escapeHtml(message)}</p>` : ''}
<label for="email">Work email</label><input id="email" name="email" type="email" autocomplete="email" required><button type="submit">Continue</button></form></body></html>`;
}

/**
 * Browser sign-in: `/auth/sign-in` asks for the work address (or takes `?email=`), sends the browser
 * to the organisation's identity provider, and `/auth/callback` starts the session. The sign-in
 * cookie binds the attempt to this browser; the session cookie is HttpOnly, SameSite=Lax, and Secure
 * (`__Host-`) behind TLS.
 */
@Controller('auth')
export class SignInController {
  private readonly cookies: { session: string; signIn: string };
  private readonly secure: boolean;
  private readonly logger: ServiceRuntime['logger'];

  constructor(
    runtime: ServiceRuntime,
    private readonly signIn: SignInService,
    private readonly sessions: SessionsService,
    @Inject(APP_ORIGIN) origin: string,
    @Inject(SESSION_POLICY) private readonly policy: SessionPolicy,
  ) {
    this.logger = runtime.logger.child({ component: 'sign-in' });
    this.secure = origin.startsWith('https:');
    this.cookies = cookieNames(this.secure);
  }

  @Get('sign-in')
  @Public('sign-in')
  async start(@Query() query: unknown, @Res() res: Response): Promise<void> {
    const parsed = SignInQuery.safeParse(query);
    res.set('Cache-Control', 'no-store');
    if (!parsed.success || !parsed.data.email) {
      res.status(parsed.success ? 200 : 400).type('html').send(signInPage(parsed.success ? null : 'Enter a valid work email address.'));
      return;
    }
    try {
      const { authorizationUrl, state } = await this.signIn.start(parsed.data.email.toLowerCase(), safeReturnPath(parsed.data.returnTo));
      res.setHeader('Set-Cookie', serialize(this.cookies.signIn, state, { httpOnly: true, secure: this.secure, sameSite: 'lax', path: '/', maxAge: 600 }));
      res.redirect(302, authorizationUrl);
    } catch (err) {
      if (!(err instanceof HttpException)) this.logger.error({ err: (err as Error).message }, 'sign-in start failed');
      const status = (err as { getStatus?: () => number }).getStatus?.() ?? 500;
      const message = ((err as { getResponse?: () => { message?: string } }).getResponse?.()?.message) ?? 'Sign-in is not available right now.';
      res.status(status >= 400 && status < 600 ? status : 500).type('html').send(signInPage(message));
    }
  }

  @Get('callback')
  @Public('sign-in')
  async callback(@Req() req: AppRequest, @Res() res: Response): Promise<void> {
    res.set('Cache-Control', 'no-store');
    const browserState = parseCookies(req.headers.cookie ?? '')[this.cookies.signIn] ?? null;
    const clearSignIn = serialize(this.cookies.signIn, '', { httpOnly: true, secure: this.secure, sameSite: 'lax', path: '/', maxAge: 0 });
    try {
      const url = new URL(req.originalUrl, this.signIn.redirectUri);
      const { user, returnTo } = await this.signIn.complete(url, browserState);
      const { token } = await this.sessions.create(user.id, user.orgId, req.headers['user-agent'] ?? null);
      const session = serialize(this.cookies.session, token, { httpOnly: true, secure: this.secure, sameSite: 'lax', path: '/', maxAge: Math.floor(this.policy.absoluteMs / 1000) });
      res.setHeader('Set-Cookie', [clearSignIn, session]);
      res.redirect(302, returnTo);
    } catch (err) {
      if (!(err instanceof HttpException)) this.logger.error({ err: (err as Error).message }, 'sign-in callback failed');
      const status = (err as { getStatus?: () => number }).getStatus?.() ?? 500;
      const message = ((err as { getResponse?: () => { message?: string } }).getResponse?.()?.message) ?? 'Sign-in failed. Start again.';
      res.setHeader('Set-Cookie', clearSignIn);
      res.status(status).type('html').send(signInPage(message));
    }
  }

  /** Ends this browser's session (CSRF-checked like every state change); answers where to end the provider's session too. */
  @Post('sign-out')
  @HttpCode(200)
  @Members('sessions')
  async signOut(@CurrentCaller() caller: Caller, @Req() req: AppRequest, @Res({ passthrough: true }) res: Response): Promise<{ signedOut: true; endSessionUrl: string | null }> {
    if (req.session) await this.sessions.revoke(req.session.id);
    res.setHeader('Set-Cookie', serialize(this.cookies.session, '', { httpOnly: true, secure: this.secure, sameSite: 'lax', path: '/', maxAge: 0 }));
    return { signedOut: true, endSessionUrl: req.session ? await this.signIn.endSessionUrl(caller.orgId) : null };
  }
}
