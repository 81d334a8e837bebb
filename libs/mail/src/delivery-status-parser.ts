import { parseHeaderText } from './header-section';

/** The per-recipient fields of an RFC 3464 §2.3 delivery status notification. */
export interface DeliveryStatusRecipient {
  action: string | null;
  status: string | null;
  finalRecipient: string | null;
  diagnosticCode: string | null;
}

const STATUS_CODE = /\b([245]\.\d{1,3}\.\d{1,3})\b/;
const RECIPIENT_FIELDS = ['final-recipient', 'original-recipient', 'action', 'status'];

/** "rfc822; User@Example.com" → "user@example.com"; other address types (RFC 3464 §2.3.2) are kept as written. */
function recipientAddress(value: string): string | null {
  const separator = value.indexOf(';');
  const type = separator === -1 ? 'rfc822' : value.slice(0, separator).trim().toLowerCase();
  const address = (separator === -1 ? value : value.slice(separator + 1)).trim().replace(/^<(.*)>$/, '$1').trim();
  if (address === '') return null;
  return type === 'rfc822' ? address.toLowerCase() : address;
}

/**
 * Parses the body of a message/delivery-status (or RFC 6533 message/global-delivery-status) part:
 * one per-message block, then one block per recipient, separated by blank lines (RFC 3464 §2.1).
 * A block that carries any per-recipient field counts as a recipient, so an MTA that forgets the
 * blank line after the per-message block still yields its recipient.
 */
export function parseDeliveryStatus(body: string): DeliveryStatusRecipient[] {
  const recipients: DeliveryStatusRecipient[] = [];
  for (const block of body.split(/\r?\n[ \t]*\r?\n/)) {
    const fields = parseHeaderText(block.replace(/^\s*\r?\n/, ''));
    if (!fields.some((field) => RECIPIENT_FIELDS.includes(field.name))) continue;
    const get = (name: string): string | null => {
      const found = fields.find((field) => field.name === name)?.value.trim();
      return found === undefined || found === '' ? null : found;
    };
    const finalRecipient = get('final-recipient') ?? get('original-recipient');
    const status = get('status');
    const action = get('action');
    recipients.push({
      action: action === null ? null : (action.split(/\s+/)[0] ?? action).toLowerCase(),
      status: status === null ? null : (STATUS_CODE.exec(status)?.[1] ?? status),
      finalRecipient: finalRecipient === null ? null : recipientAddress(finalRecipient),
      // Folded diagnostic text keeps the folding whitespace (RFC 5322 §2.2.3); collapse it for readers.
      diagnosticCode: get('diagnostic-code')?.replace(/\s+/g, ' ') ?? null,
    });
  }
  return recipients;
}
