import type { HitRequest } from '../hits/record-hit.use-case';

/** What a pixel process is started with (TRACKER_WORKERS > 1; ADR 8), in its environment. */
export interface PixelProcessOptions {
  /** PORT: 0 only for the first process, which picks the port the others then share. */
  port: number;
  host: string;
  trackingSigningKeys: string;
  trustProxy: string | undefined;
  /** The tracker process's own HTTP server (loopback), where every other path is passed on. */
  upstreamPort: number;
}

export const PIXEL_PROCESS_OPTIONS_ENV = 'TELLTALE_TRACKER_PIXEL_PROCESS';

/**
 * One answered open, as a pixel process forwards it: the verified claims (issuedAt in ms), what
 * the classifier needs of the request, its trace headers and when it arrived (ms epoch).
 */
export interface ForwardedOpen {
  orgId: string;
  sentEmailId: string;
  issuedAt: number;
  hit: HitRequest;
  trace: Record<string, string>;
  at: number;
}

/** Pixel process → tracker process. */
/** `opens` is answered by `recorded` (TrackerProcessMessage) once they are recorded. */
export type PixelProcessMessage = { kind: 'listening'; port: number } | { kind: 'opens'; opens: ForwardedOpen[] } | { kind: 'stopped' };

/** Tracker process → pixel process. */
export type TrackerProcessMessage = { kind: 'recorded' } | { kind: 'stop' };
