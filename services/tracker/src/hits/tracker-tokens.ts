export const TRACKING_KEYS = Symbol('TRACKING_KEYS');
export const HIT_SIGNATURES = Symbol('HIT_SIGNATURES');
export const CLIENT_ADDRESS = Symbol('CLIENT_ADDRESS');
