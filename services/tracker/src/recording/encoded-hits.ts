import { carriesTrace } from '../hits/trace-carrier';
import type { HitRecord } from './hit-record';

const NEWLINE = 0x0a;
const FIRST_CAPACITY = 16 * 1024;

/**
 * Hits waiting for their write, encoded as they arrive: JSON lines (the spill's format, one
 * `JSON.stringify(hit)` per line) in one buffer outside the JavaScript heap. A hit's objects die
 * as soon as it is appended, so the hits waiting behind a produce request in flight (up to a
 * whole batch, for as long as Kafka takes) are not objects the garbage collector copies and
 * promotes and then marks again: under load that promotion was most of the tracker's GC (ADR 8).
 * The bytes go to the produce worker (copied: the recorder keeps them for the spill should the
 * write fail) and to the spill as they are.
 */
export class EncodedHits {
  private bytes = Buffer.allocUnsafeSlow(FIRST_CAPACITY);
  private used = 0;
  /** Hits appended. */
  count = 0;
  /** Whether any hit carries trace context (its events then get producer spans: KafkaHitSink). */
  traced = false;

  append(hit: HitRecord): void {
    const line = JSON.stringify(hit);
    // UTF-8 takes at most 3 bytes per UTF-16 code unit.
    const needed = this.used + line.length * 3 + 1;
    if (needed > this.bytes.length) {
      const larger = Buffer.allocUnsafeSlow(Math.max(needed, this.bytes.length * 2));
      this.bytes.copy(larger, 0, 0, this.used);
      this.bytes = larger;
    }
    this.used += this.bytes.write(line, this.used, 'utf8');
    this.bytes[this.used++] = NEWLINE;
    this.count += 1;
    if (!this.traced && carriesTrace(hit.traceHeaders)) this.traced = true;
  }

  /** The JSON lines, each ending with a newline (a view of the buffer: valid until the next append). */
  lines(): Buffer {
    return this.bytes.subarray(0, this.used);
  }

  /** The hits as objects again (the spill's replay path, tests, traced batches). */
  records(): HitRecord[] {
    return decodeHitLines(this.lines());
  }
}

/**
 * JSON lines of hits (EncodedHits, a spill segment) back to hits, in order. JSON.stringify never
 * writes a raw newline (it escapes them in strings), so every newline ends a line: the lines
 * become one JSON array, parsed in one call.
 */
export function decodeHitLines(lines: Uint8Array): HitRecord[] {
  const text = Buffer.from(lines.buffer, lines.byteOffset, lines.byteLength).toString('utf8').trimEnd();
  if (text === '') return [];
  return JSON.parse(`[${text.replaceAll('\n', ',')}]`) as HitRecord[];
}

/** Hits to JSON lines (the spill's format). */
export function encodeHitLines(records: readonly HitRecord[]): Buffer {
  const encoded = new EncodedHits();
  for (const record of records) encoded.append(record);
  return encoded.lines();
}
