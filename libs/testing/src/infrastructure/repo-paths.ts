import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** Where the checked-in POMs live and where resolved tools go (git-ignored). */
export interface RepoPaths {
  root: string;
  kafkaPom: string;
  greenmailPom: string;
  toolsDir: string;
}

const MARKER = join('deploy', 'local', 'kafka', 'pom.xml');

/** Walks up from this file (src/ or dist/src/) to the repository root. */
export function findRepoRoot(start: string = __dirname): string {
  let current = start;
  for (;;) {
    if (existsSync(join(current, MARKER))) return current;
    const parent = dirname(current);
    if (parent === current) {
      throw new Error(`could not find the repository root (a folder with ${MARKER}) above ${start}`);
    }
    current = parent;
  }
}

export function repoPaths(root: string): RepoPaths {
  return {
    root,
    kafkaPom: join(root, 'deploy', 'local', 'kafka', 'pom.xml'),
    greenmailPom: join(root, 'deploy', 'local', 'greenmail', 'pom.xml'),
    toolsDir: join(root, '.tools'),
  };
}
