/**
 * The value of one sample in a Prometheus text page: the line of `name` whose labels include every
 * pair given (other labels may follow). Undefined when there is none. For tests and tools reading
 * a scrape; label values are compared as written (no unescaping).
 */
export function sampleValue(page: string, name: string, labels: Record<string, string> = {}): number | undefined {
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  for (const line of page.split('\n')) {
    if (!line.startsWith(name)) continue;
    const rest = line.slice(name.length);
    if (rest[0] !== '{' && rest[0] !== ' ') continue;
    const labelText = rest[0] === '{' ? rest.slice(1, rest.lastIndexOf('}')) : '';
    const pairs = labelText === '' ? [] : labelText.split(/,(?=[a-zA-Z_][a-zA-Z0-9_]*=")/);
    if (!wanted.every((w) => pairs.includes(w))) continue;
    return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return undefined;
}
