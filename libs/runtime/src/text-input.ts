/**
 * Text no request may carry, whatever its schema says: NUL (PostgreSQL refuses it in text and jsonb,
 * so it would surface as a 500) and unpaired UTF-16 surrogates (not characters: they cannot be
 * written as UTF-8 and would be stored as U+FFFD, silently changed).
 */
export interface TextIssue {
  path: string;
  message: string;
}

const NUL_MESSAGE = 'must not contain the NUL character (U+0000)';
const SURROGATE_MESSAGE = 'must not contain an unpaired UTF-16 surrogate';

/** `String.prototype.isWellFormed` (Node 20+), which the ES2023 library typings do not declare yet. */
const isWellFormed = (String.prototype as unknown as { isWellFormed: (this: string) => boolean }).isWellFormed;

/** Why `text` is refused, or null. */
export function textProblem(text: string): string | null {
  if (text.includes('\u0000')) return NUL_MESSAGE;
  if (!isWellFormed.call(text)) return SURROGATE_MESSAGE;
  return null;
}

/** At most this many issues are reported (the walk stops there). */
const MAX_ISSUES = 20;

interface Node {
  value: unknown;
  key: string | number | null;
  parent: Node | null;
}

function pathOf(node: Node | null, root: readonly (string | number)[]): string {
  const keys: (string | number)[] = [];
  for (let n = node; n !== null; n = n.parent) if (n.key !== null) keys.push(n.key);
  return [...root, ...keys.reverse()].join('.') || '(body)';
}

/**
 * Every string in `input` (values and object keys, at any depth) that `textProblem` refuses, with
 * its path (`to.0.address`, `query.token`), at most MAX_ISSUES of them. Walked with a stack of its
 * own and paths built only for an issue, so a body nested a million levels deep neither overflows
 * the call stack nor costs more than one visit per value.
 */
export function textIssues(input: unknown, root: readonly (string | number)[] = []): TextIssue[] {
  const issues: TextIssue[] = [];
  const stack: Node[] = [{ value: input, key: null, parent: null }];
  while (stack.length > 0 && issues.length < MAX_ISSUES) {
    const node = stack.pop()!;
    const { value } = node;
    if (typeof value === 'string') {
      const problem = textProblem(value);
      if (problem) issues.push({ path: pathOf(node, root), message: problem });
    } else if (Array.isArray(value)) {
      for (let i = value.length - 1; i >= 0; i -= 1) stack.push({ value: value[i], key: i, parent: node });
    } else if (value !== null && typeof value === 'object') {
      const keys = Object.keys(value);
      for (let i = keys.length - 1; i >= 0; i -= 1) {
        const key = keys[i]!;
        const problem = textProblem(key);
        // The key itself is the problem: named by its parent, so the answer never echoes it.
        if (problem) issues.push({ path: pathOf(node, root), message: `has a field name that ${problem}` });
        else stack.push({ value: (value as Record<string, unknown>)[key], key, parent: node });
      }
    }
  }
  return issues;
}
