/** A mailbox address as Telltale passes it around: the address lower-cased, the display name or null. */
export interface Address {
  address: string;
  name: string | null;
}

/**
 * Lower-cases the whole address. RFC 5321 §2.4 lets a server treat the local part as case-sensitive,
 * but no mailbox provider we support does, and matching replies to sent mail needs one spelling.
 */
const ADDR_SPEC = /^[^\s@<>()]+@[^\s@<>()",;:]+$/;

export function normalizeAddress(address: string, name: string | null | undefined): Address | null {
  const trimmed = address.trim().toLowerCase();
  // Only something that can be an addr-spec (RFC 5322 §3.4.1); parser debris from broken headers is dropped.
  if (!ADDR_SPEC.test(trimmed)) return null;
  const displayName = name?.trim() ?? '';
  return { address: trimmed, name: displayName === '' ? null : displayName };
}
