import { z } from 'zod';
import type { Recipient } from './enrollment.entity';

export const MAX_VARIABLES = 50;
export const MAX_VARIABLE_NAME_CHARACTERS = 64;
export const MAX_VARIABLE_VALUE_CHARACTERS = 1000;

/**
 * What an enrollment carries for its templates: `first_name`, `last_name`, `company`, `title` and any
 * custom field, each a string. Names are Liquid identifiers (letters, digits, `_`, starting with a
 * letter or `_`), at most 50 of them, values at most 1 000 characters.
 */
export const EnrollmentVariables = z
  .record(
    z
      .string()
      .max(MAX_VARIABLE_NAME_CHARACTERS)
      .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'a variable name is letters, digits and _, starting with a letter or _'),
    z.string().max(MAX_VARIABLE_VALUE_CHARACTERS),
  )
  .refine((v) => Object.keys(v).length <= MAX_VARIABLES, `at most ${MAX_VARIABLES} variables`);
export type EnrollmentVariables = z.output<typeof EnrollmentVariables>;

/**
 * The variables a step is rendered with: `email` and, from the prospect's name when not given,
 * `first_name` (the first word) and `last_name` (the rest); then what the enrollment carries. A
 * blank value counts as no value, so it takes the template's fallback (or pauses the enrollment).
 */
export function templateVariables(prospect: Recipient, variables: Readonly<Record<string, string>> | null): Record<string, string> {
  const out: Record<string, string> = Object.create(null) as Record<string, string>;
  out.email = prospect.address;
  const words = (prospect.name ?? '').trim().split(/\s+/).filter(Boolean);
  if (words.length > 0) out.first_name = words[0]!;
  if (words.length > 1) out.last_name = words.slice(1).join(' ');
  for (const [name, value] of Object.entries(variables ?? {})) {
    if (value.trim()) out[name] = value;
    else delete out[name];
  }
  return out;
}
