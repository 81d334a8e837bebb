/**
 * A SOQL string literal for any text. SOQL "Quoted String Escape Sequences": the
 * backslash escapes quotes, backslash, and the control characters \n \r \t \b \f;
 * `'` and `\` are reserved and must be escaped ("Reserved Characters").
 * Not for LIKE patterns, where `%` and `_` would still be wildcards.
 */
const ESCAPES: Record<string, string> = {
  '\\': '\\\\',
  "'": "\\'",
  '"': '\\"',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '\b': '\\b',
  '\f': '\\f',
};

export function soqlStringLiteral(value: string): string {
  return `'${value.replace(/[\\'"\n\r\t\b\f]/g, (ch) => ESCAPES[ch] ?? ch)}'`;
}
