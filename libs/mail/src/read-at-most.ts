/** A response body as Node gives it: a Node Readable or a web ReadableStream, both async-iterable. */
export type ByteStream = AsyncIterable<Uint8Array | string> & ({ destroy(): void } | { cancel(): Promise<void> });

/**
 * Reads a stream into one buffer of at most maxBytes. When the stream holds more, it stops
 * reading, closes the stream (and the connection under it) and answers the first maxBytes with
 * `complete: false`. Memory stays within maxBytes whatever the other side sends.
 */
export async function readAtMost(stream: ByteStream, maxBytes: number): Promise<{ bytes: Buffer; complete: boolean }> {
  const chunks: Buffer[] = [];
  let length = 0;
  for await (const chunk of stream) {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
    if (length + bytes.length > maxBytes) {
      chunks.push(bytes.subarray(0, maxBytes - length));
      if ('destroy' in stream) stream.destroy();
      else await stream.cancel().catch(() => undefined);
      return { bytes: Buffer.concat(chunks, maxBytes), complete: false };
    }
    chunks.push(bytes);
    length += bytes.length;
  }
  return { bytes: Buffer.concat(chunks, length), complete: true };
}
