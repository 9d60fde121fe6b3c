/**
 * The suite's HTTP client. Unlike the integration tests' helper it never throws: a timeout or a
 * refused connection is an outcome to count, and every answer carries how long it took.
 */
export interface ApiAnswer<T = any> { // any: the suite reads arbitrary JSON answers and asserts on them
  /** 0 when no HTTP answer came (see `failure`). */
  status: number;
  body: T;
  contentType: string;
  ms: number;
  failure?: 'timeout' | 'network';
}

export interface ApiCall {
  method: string;
  path: string;
  token?: string;
  /** Sent as JSON. */
  body?: unknown;
  /** Sent as is (malformed JSON, odd encodings...). */
  rawBody?: string | Uint8Array;
  headers?: Record<string, string>;
  /** The client gives up after this long and reports a timeout. */
  timeoutMs?: number;
}

export async function callApi<T = any>(apiUrl: string, call: ApiCall): Promise<ApiAnswer<T>> { // any: see ApiAnswer
  const headers: Record<string, string> = { ...call.headers };
  if (call.token !== undefined) headers.authorization = `Bearer ${call.token}`;
  let body: string | Uint8Array | undefined = call.rawBody;
  if (call.body !== undefined) {
    body = JSON.stringify(call.body);
    headers['content-type'] ??= 'application/json';
  }
  const started = performance.now();
  try {
    const response = await fetch(apiUrl + call.path, { method: call.method, headers, body, signal: AbortSignal.timeout(call.timeoutMs ?? 30_000) });
    const text = await response.text();
    const contentType = (response.headers.get('content-type') ?? '').split(';')[0].trim();
    let parsed: unknown = text;
    if (contentType.endsWith('json') && text) {
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = text; // left as text: the caller's assertion on the body will show it
      }
    }
    return { status: response.status, body: parsed as T, contentType, ms: performance.now() - started };
  } catch (error) {
    const name = error instanceof Error ? error.name : '';
    const failure = name === 'TimeoutError' || name === 'AbortError' ? 'timeout' : 'network';
    return { status: 0, body: String(error) as T, contentType: '', ms: performance.now() - started, failure };
  }
}

export const isProblem = (answer: ApiAnswer) => answer.contentType === 'application/problem+json';
