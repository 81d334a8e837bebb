import { createHash } from 'node:crypto';

/** Someone who can sign in at the sandbox issuer. */
export interface SandboxUser {
  email: string;
  name: string;
  password: string;
  /** The `email_verified` claim; true unless set. */
  emailVerified?: boolean;
}

/**
 * The password of every user in SANDBOX_USERS. Sandbox only: the sandbox issuer runs on the
 * developer's machine and in tests, never in a deployment, and these accounts exist nowhere else.
 */
export const SANDBOX_PASSWORD = 'telltale-sandbox';

/**
 * The users `npm start`'s issuer knows. The roles are what the local organisation gives them;
 * the issuer itself knows nothing of roles (an identity provider only says who signed in).
 */
export const SANDBOX_USERS: SandboxUser[] = [
  { email: 'sam@telltale.test', name: 'Sam Rivera', password: SANDBOX_PASSWORD }, // rep
  { email: 'priya@telltale.test', name: 'Priya Natarajan', password: SANDBOX_PASSWORD }, // manager
  { email: 'admin@telltale.test', name: 'Avery Admin', password: SANDBOX_PASSWORD }, // admin
  // on the organisation's domain but not invited: for the invitation and domain-join flows
  { email: 'alex@telltale.test', name: 'Alex Morgan', password: SANDBOX_PASSWORD },
];

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

/**
 * The `sub` claim of a sandbox user: derived from the email, so it stays the same across restarts
 * (a relying party that links accounts by issuer and subject finds the same user again).
 */
export function sandboxSubject(email: string): string {
  return createHash('sha256').update(normalizeEmail(email)).digest('base64url').slice(0, 22);
}
