/**
 * A 400's issues in people's words: one helper for every form. The API names each refused field with
 * zod's issue code and limits (libs/runtime parseRequest), so the wording here never parses English.
 */
export interface Issue {
  path: string;
  message: string;
  code?: string;
  origin?: string;
  minimum?: number;
  maximum?: number;
  inclusive?: boolean;
  format?: string;
  expected?: string;
  values?: string[];
}

const plural = (n: number, one: string, many: string) => `${n.toLocaleString()} ${n === 1 ? one : many}`;

const FORMAT: Record<string, string> = {
  email: 'Enter a valid email address',
  url: 'Enter a valid web address, e.g. https://example.com',
  uuid: 'Choose one of the listed items',
  cidrv4: 'Enter an address range such as 203.0.113.0/24',
  cidrv6: 'Enter an address range such as 2001:db8::/32',
  ipv4: 'Enter an IP address such as 203.0.113.7',
  ipv6: 'Enter an IPv6 address',
  datetime: 'Enter a date and time',
  date: 'Enter a date',
};

function sentence(text: string): string {
  const trimmed = text.trim();
  return trimmed ? trimmed[0]!.toUpperCase() + trimmed.slice(1) : 'Check this field';
}

function tooSmall(issue: Issue): string {
  const min = issue.minimum ?? 0;
  switch (issue.origin) {
    case 'string':
      return min <= 1 ? 'Fill this in' : `Use at least ${plural(min, 'character', 'characters')}`;
    case 'array':
    case 'set':
      return min <= 1 ? 'Add at least one' : `Add at least ${min.toLocaleString()}`;
    case 'number':
    case 'int':
    case 'bigint':
      return issue.inclusive === false ? `Enter a number above ${min.toLocaleString()}` : `Enter ${min.toLocaleString()} or more`;
    default:
      return 'This is too small';
  }
}

function tooBig(issue: Issue): string {
  const max = issue.maximum ?? 0;
  switch (issue.origin) {
    case 'string':
      return `Use at most ${plural(max, 'character', 'characters')}`;
    case 'array':
    case 'set':
      return `Use at most ${max.toLocaleString()}`;
    case 'number':
    case 'int':
    case 'bigint':
      return issue.inclusive === false ? `Enter a number below ${max.toLocaleString()}` : `Enter ${max.toLocaleString()} or less`;
    default:
      return 'This is too large';
  }
}

/** One issue as a person reads it under the field. */
export function friendlyIssue(issue: Issue): string {
  switch (issue.code) {
    case 'too_small':
      return tooSmall(issue);
    case 'too_big':
      return tooBig(issue);
    case 'invalid_format':
      // A pattern of the API's own (`regex`) comes with a message written for people ("must be an email address").
      if (issue.format === 'regex' && issue.message) return sentence(issue.message);
      return FORMAT[issue.format ?? ''] ?? 'This is not in the expected format';
    case 'invalid_type':
      if (issue.expected === 'number' || issue.expected === 'int') return 'Enter a number';
      if (issue.expected === 'boolean') return 'Choose yes or no';
      return 'Fill this in';
    case 'invalid_value':
      return issue.values?.length ? `Choose one of: ${issue.values.join(', ')}` : 'Choose one of the options';
    case 'invalid_text':
      return 'Remove the invisible control characters from this text';
    case 'unrecognized_keys':
      return 'This form sent a field the server does not know; reload the page and try again';
    default:
      // `custom` and the services' own checks carry a sentence written for people.
      return sentence(issue.message);
  }
}

/** The issues whose path starts with `prefix` (e.g. `imap.host`), keyed by the rest of the path, in people's words. */
export function fieldErrorsOf(issues: readonly Issue[], prefix = ''): Record<string, string> {
  const out: Record<string, string> = {};
  for (const issue of issues) {
    if (!issue.path.startsWith(prefix)) continue;
    const key = issue.path.slice(prefix.length).replace(/^\./, '') || '_';
    out[key] ??= friendlyIssue(issue);
  }
  return out;
}
