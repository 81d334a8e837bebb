import { closeSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { encodeHitLines } from './encoded-hits';
import type { HitRecord } from './hit-record';

const SEGMENT = /^seg-(\d{16})\.jsonl$/;

/**
 * The durable local spill for hits the database could not take: a folder of numbered segment
 * files (JSON lines), written whole (temp file, fsync, rename) so a crash leaves either a complete
 * segment or none. Replay goes in segment-number order, which is arrival order.
 */
export class HitSpill {
  constructor(private readonly dir: string) {
    mkdirSync(dir, { recursive: true });
  }

  /** Segment numbers present, oldest first. */
  segments(): number[] {
    return readdirSync(this.dir)
      .map((name) => SEGMENT.exec(name))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => Number(m[1]))
      .sort((a, b) => a - b);
  }

  /** Bytes held by the segments (a segment removed meanwhile counts as none); for the metrics. */
  bytes(): number {
    let total = 0;
    for (const segment of this.segments()) total += statSync(join(this.dir, this.fileName(segment)), { throwIfNoEntry: false })?.size ?? 0;
    return total;
  }

  /** Synchronous on purpose: the write is done (and fsynced) before the caller moves on. */
  write(segment: number, records: readonly HitRecord[]): void {
    this.writeLines(segment, encodeHitLines(records));
  }

  /** `lines`: hits already encoded as JSON lines, each ending with a newline (EncodedHits). */
  writeLines(segment: number, lines: Uint8Array): void {
    const final = join(this.dir, this.fileName(segment));
    const temp = `${final}.tmp`;
    const fd = openSync(temp, 'w');
    try {
      for (let written = 0; written < lines.length; ) written += writeSync(fd, lines, written, lines.length - written);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, final);
  }

  read(segment: number): HitRecord[] {
    const text = readFileSync(join(this.dir, this.fileName(segment)), 'utf8');
    return text
      .split('\n')
      .filter((line) => line.length > 0)
      .map((line) => JSON.parse(line) as HitRecord);
  }

  remove(segment: number): void {
    unlinkSync(join(this.dir, this.fileName(segment)));
  }

  private fileName(segment: number): string {
    return `seg-${String(segment).padStart(16, '0')}.jsonl`;
  }
}
