/**
 * Outlook's Thread-Index ([MS-OXOMSG] §2.2.1.3, PidTagConversationIndex): a 22-byte header (reserved
 * byte, 5 bytes of FILETIME, a 16-byte conversation GUID) followed by one 5-byte block per reply. Every
 * message of a conversation shares the header, so its hex form is the conversation key.
 */
const HEADER_BYTES = 22;

export function threadIndexConversationKey(threadIndex: string | null): string | null {
  if (!threadIndex) return null;
  const compact = threadIndex.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(compact)) return null;
  const bytes = Buffer.from(compact, 'base64');
  if (bytes.length < HEADER_BYTES || (bytes.length - HEADER_BYTES) % 5 !== 0) return null;
  return bytes.subarray(0, HEADER_BYTES).toString('hex');
}
