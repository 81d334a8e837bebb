/**
 * Ports used by `npm start`, chosen outside the usual defaults (5432, 9092, 25, 143) so a
 * developer's own services on those ports do not collide with ours.
 */
export const FIXED_PORTS = {
  postgres: 55432,
  kafka: 19092,
  kafkaController: 19093,
  smtp: 3025,
  imap: 3143,
} as const;

export type PortPlan = { [K in keyof typeof FIXED_PORTS]: number };
