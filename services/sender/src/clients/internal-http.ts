/** Errors calling another Telltale service: retryable unless the answer was definitive. */
export class InternalCallError extends Error {
  constructor(
    message: string,
    readonly status: number | null,
  ) {
    super(message);
    this.name = 'InternalCallError';
  }
}

export async function internalRequest(
  url: string,
  init: { method: 'GET' | 'POST'; token: string; timeoutMs?: number },
): Promise<{ status: number; body: unknown }> {
  let response: Response;
  try {
    response = await fetch(url, {
      method: init.method,
      headers: { authorization: `Bearer ${init.token}`, accept: 'application/json' },
      signal: AbortSignal.timeout(init.timeoutMs ?? 10_000),
    });
  } catch (err) {
    throw new InternalCallError(`${init.method} ${new URL(url).pathname} failed: ${(err as Error).message}`, null);
  }
  const text = await response.text();
  let body: unknown = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = text;
  }
  return { status: response.status, body };
}
