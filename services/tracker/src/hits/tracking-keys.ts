export const TRACKING_KEYS = Symbol('TRACKING_KEYS');
