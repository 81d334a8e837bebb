import { createWriteStream } from 'node:fs';
import type { Readable } from 'node:stream';

/** A testcontainers log consumer that appends the container's output to a file in the data dir. */
export function logToFile(file: string): (stream: Readable) => void {
  return (stream) => {
    const out = createWriteStream(file, { flags: 'a' });
    stream.pipe(out);
    stream.once('error', () => out.end());
  };
}
