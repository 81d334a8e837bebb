import { BadRequestException } from '@nestjs/common';
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
