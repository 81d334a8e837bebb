import { BadRequestException, UnauthorizedException } from '@nestjs/common';
import { timingSafeEqual } from 'node:crypto';
import { UUID_PATTERN } from '@telltale/contracts';
import { z } from 'zod';
import { textIssues } from './text-input';

export { textIssues, textProblem, type TextIssue } from './text-input';

/**
 * Parses untrusted request input; a bad request names every failing field and changes nothing. No
 * string anywhere in the input may carry NUL or an unpaired surrogate (text-input.ts), whatever
 * the schema says.
 */
export function parseRequest<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const refused = textIssues(input);
  const result = schema.safeParse(input);
  if (result.success && refused.length === 0) return result.data;
  const issues = result.success ? [] : result.error.issues.map((i) => ({ path: i.path.join('.') || '(body)', message: i.message }));
  throw new BadRequestException({ error: 'invalid_request', issues: [...refused, ...issues.filter((i) => !refused.some((r) => r.path === i.path))] });
}

const OrgHeader = z.string().regex(UUID_PATTERN, 'x-org-id must be a lower-case UUID');

/** Every request is scoped to one organisation (docs/architecture.md, Identity and tenancy). */
export function requireOrgId(header: string | string[] | undefined): string {
  return parseRequest(OrgHeader, Array.isArray(header) ? header[0] : header);
}

/** Service-to-service calls carry a shared bearer token; compared in constant time. */
export function requireInternalToken(authorization: string | undefined, expected: string): void {
  const presented = Buffer.from(authorization?.replace(/^Bearer\s+/i, '') ?? '');
  const wanted = Buffer.from(expected);
  if (presented.length !== wanted.length || !timingSafeEqual(presented, wanted)) {
    throw new UnauthorizedException({ error: 'invalid_internal_token' });
  }
}
