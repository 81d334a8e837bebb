import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import express, { type NextFunction, type Request, type Response } from 'express';

/** Where `vite build` puts the browser app (services/app/dist/web), next to the compiled server. */
export const DEFAULT_WEB_ROOT = resolve(__dirname, '..', '..', 'web');

/** Paths the browser app never answers: the API, sign-in, health checks and the key set stay Nest's. */
const SERVER_PATHS = /^\/(api|auth|health|\.well-known|metrics|assets)(\/|$)/;

/**
 * The browser app's pages: scripts only from this origin (no inline script, no eval); Mantine sets
 * styles at run time, so styles may be inline. Nothing may frame the app.
 */
export const WEB_CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

function pageHeaders(res: Response): void {
  res.setHeader('Content-Security-Policy', WEB_CONTENT_SECURITY_POLICY);
  res.setHeader('Referrer-Policy', 'same-origin');
  res.setHeader('X-Frame-Options', 'DENY');
}

/**
 * Serves the built browser app before Nest's routes: hashed files under /assets for a year
 * (immutable), index.html never cached, and index.html for any other GET that is not a server path
 * (client-side routes such as /sequences/…). Without a build (tests of the API alone), nothing is mounted.
 */
export function serveWebApp(app: INestApplication, options: { root?: string; trackingUrl?: string } = {}): boolean {
  const root = options.root ?? DEFAULT_WEB_ROOT;
  const indexPath = join(root, 'index.html');
  if (!existsSync(indexPath)) return false;
  // What the page needs from the deployment, as a meta tag (no inline script): the tracking domain.
  const escapeAttribute = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  const meta = options.trackingUrl ? `<meta name="telltale-tracking-url" content="${escapeAttribute(options.trackingUrl)}" />` : '';
  const index = Buffer.from(readFileSync(indexPath, 'utf8').replace('</head>', `${meta}</head>`));
  app.use(
    '/assets',
    express.static(join(root, 'assets'), {
      immutable: true,
      maxAge: '365d',
      index: false,
      setHeaders: (res) => res.setHeader('Content-Security-Policy', WEB_CONTENT_SECURITY_POLICY),
    }),
  );
  app.use((req: Request, res: Response, next: NextFunction) => {
    if ((req.method !== 'GET' && req.method !== 'HEAD') || SERVER_PATHS.test(req.path)) {
      next();
      return;
    }
    pageHeaders(res);
    res.setHeader('Cache-Control', 'no-store');
    res.type('html').send(index);
  });
  return true;
}
