import { readFileSync } from 'node:fs';

/** The last `count` lines of a log file, for error messages; empty when the file is missing. */
export function readLogTail(file: string, count: number): string {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return '';
  }
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  return lines.slice(-count).join('\n');
}
