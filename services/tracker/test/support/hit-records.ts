import type { HitRecord } from '../../src';

/** Hit number `n` of one email, as the recorder queues it (ids and times follow from `n`). */
export function hitRecord(n: number, options: { userAgent?: string | null; reasons?: string[]; traceHeaders?: Record<string, string> } = {}): HitRecord {
  return {
    engagement: {
      engagementId: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
      orgId: '00000000-0000-4000-8000-000000000001',
      sentEmailId: '00000000-0000-4000-8000-000000000002',
      type: 'opened',
      linkIndex: null,
      url: null,
      classification: { label: 'human', confidence: 0.7, reasons: options.reasons ?? [] },
      userAgent: options.userAgent ?? null,
      occurredAt: new Date(1_700_000_000_000 + n).toISOString(),
    },
    traceHeaders: options.traceHeaders ?? {},
  };
}
