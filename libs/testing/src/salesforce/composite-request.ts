import { z } from 'zod';
import { SalesforceApiError } from './salesforce-api-error';
import type { RestRequest, RestResponse } from './salesforce-rest-api';

/**
 * The Composite resource (REST API, "Send Multiple Requests Using Composite"): up to 25 subrequests
 * in one POST to /composite, of which at most 5 are queries; the whole series counts as ONE call
 * against the daily allocation. A subrequest's url and body may refer to an earlier response with
 * `@{referenceId.path}`. With `allOrNone` a failed subrequest rolls everything back and the others
 * answer PROCESSING_HALTED; otherwise only the subrequests that refer to a failed one are halted.
 */

export const COMPOSITE_MAX_SUBREQUESTS = 25;
export const COMPOSITE_MAX_QUERIES = 5;

const subrequest = z.object({
  method: z.enum(['GET', 'POST', 'PATCH', 'PUT', 'DELETE', 'HEAD']),
  url: z.string().min(1),
  referenceId: z.string().regex(/^[A-Za-z0-9_]{1,80}$/),
  body: z.unknown().optional(),
  httpHeaders: z.record(z.string(), z.string()).optional(),
});
const compositeBody = z.object({
  allOrNone: z.boolean().optional(),
  collateSubrequests: z.boolean().optional(),
  compositeRequest: z.array(subrequest).min(1),
});

export interface SubResponse {
  body: unknown;
  httpHeaders: Record<string, string>;
  httpStatusCode: number;
  referenceId: string;
}

const REFERENCE = /@\{([A-Za-z0-9_]+)((?:\.[A-Za-z0-9_]+|\[\d+\])*)\}/g;

class Halt extends Error {}

export function handleComposite(
  req: RestRequest,
  run: (sub: RestRequest) => RestResponse,
  atomically: <T>(work: () => T) => T,
): RestResponse {
  const parsed = compositeBody.safeParse(req.body);
  if (!parsed.success) throw new SalesforceApiError(400, 'JSON_PARSER_ERROR', 'The request body must be { allOrNone?, compositeRequest: [{ method, url, referenceId, body? }] }');
  const subs = parsed.data.compositeRequest;
  if (subs.length > COMPOSITE_MAX_SUBREQUESTS) {
    throw new SalesforceApiError(400, 'INVALID_INPUT', `The number of subrequests exceeds the limit of ${COMPOSITE_MAX_SUBREQUESTS}`);
  }
  if (subs.filter((s) => /\/(query|queryAll)(\/|\?|$)/.test(s.url)).length > COMPOSITE_MAX_QUERIES) {
    throw new SalesforceApiError(400, 'INVALID_INPUT', `A composite request can contain at most ${COMPOSITE_MAX_QUERIES} query operations`);
  }
  const ids = new Set<string>();
  for (const s of subs) {
    if (ids.has(s.referenceId)) throw new SalesforceApiError(400, 'INVALID_INPUT', `Duplicate referenceId provided in the request: ${s.referenceId}`);
    ids.add(s.referenceId);
  }
  const allOrNone = parsed.data.allOrNone === true;
  const responses: SubResponse[] = [];
  const halted = (referenceId: string, message: string): SubResponse => ({
    body: [{ errorCode: 'PROCESSING_HALTED', message }],
    httpHeaders: {},
    httpStatusCode: 400,
    referenceId,
  });
  const execute = (): void => {
    const results = new Map<string, { ok: boolean; body: unknown }>();
    for (const s of subs) {
      let sub: RestRequest;
      try {
        sub = toRestRequest(req, s.method, resolve(s.url, results, true) as string, s.body === undefined ? undefined : resolve(s.body, results, false));
      } catch (err) {
        if (!(err instanceof Halt)) throw err;
        responses.push(halted(s.referenceId, err.message));
        results.set(s.referenceId, { ok: false, body: undefined });
        continue;
      }
      let answer: RestResponse;
      try {
        answer = run(sub);
      } catch (err) {
        if (!(err instanceof SalesforceApiError)) throw err;
        answer = { status: err.status, body: err.toResponseBody() };
      }
      const ok = answer.status < 300;
      results.set(s.referenceId, { ok, body: answer.body });
      responses.push({ body: answer.body ?? null, httpHeaders: {}, httpStatusCode: answer.status, referenceId: s.referenceId });
      if (!ok && allOrNone) throw new Halt(s.referenceId);
    }
  };
  if (!allOrNone) {
    execute();
    return { status: 200, body: { compositeResponse: responses } };
  }
  try {
    atomically(execute);
  } catch (err) {
    if (!(err instanceof Halt)) throw err;
    const failed = err.message;
    return {
      status: 200,
      body: {
        compositeResponse: subs.map((s) =>
          s.referenceId === failed
            ? (responses.find((r) => r.referenceId === failed) as SubResponse)
            : halted(s.referenceId, `The transaction was rolled back since another operation in the same transaction failed.`),
        ),
      },
    };
  }
  return { status: 200, body: { compositeResponse: responses } };
}

/** `@{ref.a.b[0].c}` in a url or body: the value at that path of an earlier successful response. */
function resolve(value: unknown, results: Map<string, { ok: boolean; body: unknown }>, inUrl: boolean): unknown {
  if (typeof value === 'string') {
    return value.replace(REFERENCE, (_, ref: string, path: string) => {
      const found = results.get(ref);
      if (!found || !found.ok) throw new Halt(`Invalid reference specified. No value for ${ref}${path} found in ${ref}. Provided referenceId ('${ref}') refers to a failed or unknown subrequest.`);
      let current: unknown = found.body;
      for (const step of path.match(/\.[A-Za-z0-9_]+|\[\d+\]/g) ?? []) {
        const key = step.startsWith('.') ? step.slice(1) : Number(step.slice(1, -1));
        current = current !== null && typeof current === 'object' ? (current as Record<string | number, unknown>)[key] : undefined;
      }
      if (current === undefined) throw new Halt(`Invalid reference specified. No value for ${ref}${path} found in ${ref}.`);
      return inUrl ? encodeURIComponent(String(current)) : String(current);
    });
  }
  if (Array.isArray(value)) return value.map((v) => resolve(v, results, inUrl));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolve(v, results, inUrl)]));
  }
  return value;
}

function toRestRequest(parent: RestRequest, method: string, url: string, body: unknown): RestRequest {
  const parsed = new URL(url, 'http://composite.invalid');
  const match = /^\/services\/data\/v(\d+\.\d)(\/.*)?$/.exec(parsed.pathname);
  if (!match || match[1] !== parent.version) {
    throw new SalesforceApiError(400, 'INVALID_INPUT', `Subrequest url must be /services/data/v${parent.version}/…, with the same API version as the composite request: ${url}`);
  }
  if (/^\/composite(\/|$)/.test(match[2] ?? '') && !/^\/composite\/sobjects(\/|$)/.test(match[2] ?? '')) {
    throw new SalesforceApiError(400, 'INVALID_INPUT', 'A composite subrequest cannot be another composite request');
  }
  const segments = (match[2] ?? '')
    .split('/')
    .filter((s) => s !== '')
    .map((s) => decodeURIComponent(s));
  return { method, version: parent.version, segments, query: parsed.searchParams, body, queryOptionsHeader: undefined, userId: parent.userId };
}
