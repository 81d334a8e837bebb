import { z } from 'zod';

/** What an HTTP client library tells us about a failed call, whatever its error class looks like. */
export interface HttpErrorFacts {
  status: number | undefined;
  /** The parsed JSON body when there was one (gaxios parses it; Graph's GraphError keeps it as a string). */
  body: unknown;
  retryAfter: string | undefined;
  /** A Node socket/DNS code (ECONNRESET, ENOTFOUND…) when no HTTP answer came back. */
  networkCode: string | undefined;
  message: string;
}


/** gaxios (googleapis) GaxiosError and @microsoft/microsoft-graph-client GraphError, read defensively. */
const errorShape = z.looseObject({
  message: z.string().optional().catch(undefined),
  status: z.number().optional().catch(undefined),
  statusCode: z.number().optional().catch(undefined),
  code: z.union([z.string(), z.number()]).optional().catch(undefined),
  body: z.unknown().optional(),
  headers: z.unknown().optional(),
  response: z
    .looseObject({
      status: z.number().optional().catch(undefined),
      data: z.unknown().optional(),
      headers: z.unknown().optional(),
    })
    .optional()
    .catch(undefined),
});

/** Headers may be a fetch-style Headers (Graph client, gaxios 7) or a plain object. */
function header(headers: unknown, name: string): string | undefined {
  if (headers === null || typeof headers !== 'object') return undefined;
  // Duck-typed: gaxios ships its own Headers class, so instanceof Headers is not enough.
  const getter = (headers as { get?: unknown }).get;
  if (typeof getter === 'function') {
    const value: unknown = getter.call(headers, name);
    return typeof value === 'string' ? value : undefined;
  }
  const entry = Object.entries(headers).find(([key]) => key.toLowerCase() === name);
  return typeof entry?.[1] === 'string' ? entry[1] : undefined;
}

function parseBody(body: unknown): unknown {
  if (typeof body !== 'string') return body;
  try {
    return JSON.parse(body) as unknown;
  } catch {
    return body;
  }
}

export function httpErrorFacts(error: unknown): HttpErrorFacts {
  const parsed = errorShape.safeParse(error);
  if (!parsed.success) return { status: undefined, body: undefined, retryAfter: undefined, networkCode: undefined, message: String(error) };
  const e = parsed.data;
  const status = e.response?.status ?? e.status ?? (e.statusCode !== undefined && e.statusCode > 0 ? e.statusCode : undefined);
  const code = typeof e.code === 'string' && /^E[A-Z_]+$/.test(e.code) ? e.code : undefined;
  return {
    status,
    body: parseBody(e.response?.data ?? e.body),
    retryAfter: header(e.response?.headers, 'retry-after') ?? header(e.headers, 'retry-after'),
    networkCode: code,
    message: e.message ?? 'provider call failed',
  };
}
