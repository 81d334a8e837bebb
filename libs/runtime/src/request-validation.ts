import { BadRequestException } from '@nestjs/common';
import { z } from 'zod';
import { textIssues } from './text-input';

export { textIssues, textProblem, type TextIssue } from './text-input';

/**
 * One refused field as a 400 names it: the path, the message, and for a client that words it for a
 * person the structured facts (zod's issue code and limits), so nothing has to parse the English.
 */
export interface RequestIssue {
  path: string;
  message: string;
  /** zod's issue code (`too_small`, `too_big`, `invalid_format`, `invalid_type`, `invalid_value`, `custom`, …), or `invalid_text`. */
  code?: string;
  /** For too_small / too_big: what was measured (`string`, `number`, `array`, …) and the limit. */
  origin?: string;
  minimum?: number;
  maximum?: number;
  inclusive?: boolean;
  /** For invalid_format: `email`, `url`, `uuid`, `regex`, `cidrv4`, … */
  format?: string;
  /** For invalid_type: the type expected. */
  expected?: string;
  /** For invalid_value: the values allowed (at most 20). */
  values?: string[];
}

const MAX_VALUES = 20;

function toRequestIssue(issue: z.core.$ZodIssue): RequestIssue {
  const out: RequestIssue = { path: issue.path.map(String).join('.') || '(body)', message: issue.message, code: issue.code };
  const facts = issue as unknown as Record<string, unknown>;
  if (typeof facts.origin === 'string') out.origin = facts.origin;
  for (const key of ['minimum', 'maximum'] as const) {
    const limit = facts[key];
    if (typeof limit === 'number' || typeof limit === 'bigint') out[key] = Number(limit);
  }
  if (typeof facts.inclusive === 'boolean') out.inclusive = facts.inclusive;
  if (typeof facts.format === 'string') out.format = facts.format;
  if (typeof facts.expected === 'string') out.expected = facts.expected;
  if (Array.isArray(facts.values)) out.values = facts.values.slice(0, MAX_VALUES).map(String);
  return out;
}

/**
 * Parses untrusted request input; a bad request names every failing field and changes nothing. No
 * string anywhere in the input may carry NUL or an unpaired surrogate (text-input.ts), whatever
 * the schema says.
 */
export function parseRequest<S extends z.ZodType>(schema: S, input: unknown): z.output<S> {
  const refused = textIssues(input);
  const result = schema.safeParse(input);
  if (result.success && refused.length === 0) return result.data;
  const issues = result.success ? [] : result.error.issues.map(toRequestIssue);
  throw new BadRequestException({ error: 'invalid_request', issues: [...refused.map((i): RequestIssue => ({ ...i, code: 'invalid_text' })), ...issues.filter((i) => !refused.some((r) => r.path === i.path))] });
}
