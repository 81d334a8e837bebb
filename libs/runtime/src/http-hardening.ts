import type { INestApplication } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { NextFunction, Request, Response } from 'express';
import { textIssues, type TextIssue } from './text-input';
import { HttpErrorCodes, answerParserErrorsAsJson } from './http-error-codes';

/** Express's own default, kept for services whose schemas hold only short fields. */
export const DEFAULT_JSON_BODY_LIMIT_BYTES = 100 * 1024;

/**
 * The JSON body limit for routes whose schemas allow `characters` characters of text in total:
 * each character is at most 3 bytes of UTF-8 (JSON.stringify writes characters outside ASCII as
 * they are, and an astral character is 4 bytes for its 2 UTF-16 units), plus `overheadBytes` for
 * the rest of the body.
 */
export function jsonBodyLimitFor(characters: number, overheadBytes = 64 * 1024): number {
  return characters * 3 + overheadBytes;
}

export interface HttpHardeningOptions {
  /** Bytes; a larger JSON body is answered 413 before it is read to the end. */
  jsonBodyLimitBytes: number;
}

/** `1.0 MB`, `100 kB`: how a limit is said in an error message. */
function describeBytes(bytes: number): string {
  return bytes >= 1_000_000 ? `${(bytes / 1_000_000).toFixed(1)} MB` : `${Math.round(bytes / 1000)} kB`;
}

/**
 * Path segments and query values (as Express decoded them) that no route may be handed: the same
 * rule as every JSON field (text-input.ts), for the inputs that do not go through parseRequest.
 */
function urlTextIssues(req: Request): TextIssue[] {
  const issues: TextIssue[] = [];
  for (const segment of req.path.split('/')) {
    let decoded: string;
    try {
      decoded = decodeURIComponent(segment);
    } catch {
      continue; // Malformed percent-encoding: the router answers 400 for it.
    }
    if (decoded.includes('\u0000')) {
      issues.push({ path: 'path', message: 'must not contain the NUL character (U+0000)' });
      break;
    }
  }
  return [...issues, ...textIssues(req.query, ['query'])];
}

/** What body-parser's errors (the `type` it sets) become: a typed JSON error, never a stack trace. */
function bodyError(err: { type?: unknown; limit?: unknown }, limitBytes: number): { status: number; body: { error: string; message: string; limitBytes?: number } } | null {
  switch (err.type) {
    case 'entity.too.large':
      return {
        status: 413,
        body: { error: 'payload_too_large', message: `The request body is larger than the ${describeBytes(limitBytes)} this service accepts.`, limitBytes },
      };
    case 'entity.parse.failed':
      return { status: 400, body: { error: 'malformed_json', message: 'The request body is not valid JSON.' } };
    case 'charset.unsupported':
      return { status: 415, body: { error: 'unsupported_charset', message: 'The request body must be UTF-8 JSON.' } };
    case 'encoding.unsupported':
      return { status: 415, body: { error: 'unsupported_content_encoding', message: 'The request body must be sent as identity, gzip, deflate or br.' } };
    case 'request.aborted':
    case 'request.size.invalid':
    case 'stream.encoding.set':
    case 'stream.not.readable':
      return { status: 400, body: { error: 'unreadable_body', message: 'The request body could not be read to its end.' } };
    default:
      return null;
  }
}

/**
 * What every service's HTTP app does before any route (docs/architecture.md, Identity and tenancy):
 * no `X-Powered-By`, `X-Content-Type-Options: nosniff` on every answer, a 400 naming the query
 * parameter or path that carries NUL, and JSON bodies read up to the service's limit, with a 413,
 * a 400 or a 415 JSON error instead of Express's HTML page for a body that is too large, not JSON
 * or not readable. Only `application/json` bodies are read: no route takes a form. Nest's own
 * refusals (unknown route, ParseUUIDPipe) and Node's parser's (a URL over 16 kB) get a snake_case
 * `error` code like every other error.
 */
export function hardenHttp(app: INestApplication, options: HttpHardeningOptions): void {
  const express = app.getHttpAdapter().getInstance() as { disable(setting: string): void };
  express.disable('x-powered-by');
  app.useGlobalFilters(new HttpErrorCodes(app.getHttpAdapter()));
  answerParserErrorsAsJson(app.getHttpServer());
  app.use((req: Request, res: Response, next: NextFunction) => {
    res.setHeader('X-Content-Type-Options', 'nosniff');
    const issues = urlTextIssues(req);
    if (issues.length > 0) {
      res.status(400).json({ error: 'invalid_request', issues: issues.map((i) => ({ ...i, code: 'invalid_text' })) });
      return;
    }
    next();
  });
  (app as NestExpressApplication).useBodyParser('json', { limit: options.jsonBodyLimitBytes });
  app.use((err: unknown, _req: Request, res: Response, next: NextFunction) => {
    const mapped = err !== null && typeof err === 'object' ? bodyError(err as { type?: unknown }, options.jsonBodyLimitBytes) : null;
    if (!mapped) {
      next(err);
      return;
    }
    res.status(mapped.status).json(mapped.body);
  });
}
