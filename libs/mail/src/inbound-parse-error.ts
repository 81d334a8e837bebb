/** The bytes are not an Internet message at all (empty, binary, no header section). */
export class InboundParseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InboundParseError';
  }
}
