/**
 * Replaces every comment of a header value (RFC 5322 §3.2.2, nesting allowed) with one space, in one
 * pass. Removing innermost `(…)` pairs until none is left gives the same text but costs a pass per
 * level of nesting, quadratic on a value of nested parentheses. A ")" closes the nearest "(" still
 * open; parentheses that do not pair up stay as written. Quoted-pairs are not special, as before.
 */
export function replaceComments(value: string): string {
  const open: number[] = [];
  const closeOf = new Map<number, number>();
  for (let i = 0; i < value.length; i += 1) {
    if (value[i] === '(') open.push(i);
    else if (value[i] === ')' && open.length > 0) closeOf.set(open.pop()!, i);
  }
  if (closeOf.size === 0) return value;
  let output = '';
  let from = 0;
  for (let i = 0; i < value.length; i += 1) {
    const close = closeOf.get(i);
    if (close === undefined) continue;
    // The outermost comment starting here; the comments inside it go with it.
    output += `${value.slice(from, i)} `;
    from = close + 1;
    i = close;
  }
  return output + value.slice(from);
}
