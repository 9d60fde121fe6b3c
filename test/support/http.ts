/** A small HTTP client for the tests: they drive the product through its public API, like a client would. */
import crypto from 'node:crypto';
import type { TestEnv } from './env';

export interface HttpResult<T = any> { // any: tests read arbitrary JSON bodies and assert on them
  status: number;
  body: T;
  headers: Headers;
}

export async function call<T = any>( // any: see HttpResult
  env: Pick<TestEnv, 'apiUrl'>,
  method: string,
  path: string,
  options: { token?: string; body?: unknown; rawBody?: string; headers?: Record<string, string> } = {},
): Promise<HttpResult<T>> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  let body: string | undefined = options.rawBody;
  if (options.body !== undefined) {
    body = JSON.stringify(options.body);
    headers['content-type'] ??= 'application/json';
  }
  const response = await fetch(env.apiUrl + path, { method, headers, body });
  const text = await response.text();
  let parsed: unknown = text;
  if ((response.headers.get('content-type') ?? '').includes('json') && text) parsed = JSON.parse(text);
  return { status: response.status, body: parsed as T, headers: response.headers };
}

export interface ClientFixture {
  clientId: string;
  code: string;
  authorizer: string;
  authorized: string;
  authorizerId: string;
}

export interface StaffFixture {
  operator: string;
  operatorId: string;
  slaManager: string;
  accountExecutive: string;
}

const unique = () => crypto.randomBytes(4).toString('hex');

export async function createClient(env: TestEnv, contract?: Record<string, unknown>): Promise<ClientFixture> {
  const code = `C-${unique()}`;
  const client = await call(env, 'POST', '/v1/clients', { token: env.adminToken, body: { code, name: `Client ${code}`, ...(contract ? { contract } : {}) } });
  if (client.status !== 201) throw new Error(`client: ${client.status} ${JSON.stringify(client.body)}`);
  const authorizer = await createUser(env, env.adminToken, { role: 'client_authorizer', clientId: client.body.id });
  const authorized = await createUser(env, authorizer.token, { role: 'client_authorized' });
  return { clientId: client.body.id, code, authorizer: authorizer.token, authorized: authorized.token, authorizerId: authorizer.id };
}

export async function createUser(env: TestEnv, token: string, user: { role: string; clientId?: string; clientIds?: string[] }): Promise<{ id: string; token: string }> {
  const name = `${user.role} ${unique()}`;
  const result = await call(env, 'POST', '/v1/users', { token, body: { name, email: `${unique()}@example.test`, ...user } });
  if (result.status !== 201) throw new Error(`user: ${result.status} ${JSON.stringify(result.body)}`);
  return { id: result.body.id, token: result.body.token };
}

export async function createStaff(env: TestEnv, coveredClientIds: string[] = []): Promise<StaffFixture> {
  const operator = await createUser(env, env.adminToken, { role: 'operator_l1' });
  const slaManager = await createUser(env, env.adminToken, { role: 'sla_manager' });
  const accountExecutive = await createUser(env, env.adminToken, { role: 'account_executive', clientIds: coveredClientIds });
  return { operator: operator.token, operatorId: operator.id, slaManager: slaManager.token, accountExecutive: accountExecutive.token };
}

export const VALID_FILING = {
  site: 'DC-1',
  summary: 'Reboot server r12-u7',
  instructions: 'Power-cycle the server in rack 12, unit 7, then check the front LED is green.',
  priority: 'normal',
};

export async function fileRequest(env: Pick<TestEnv, 'apiUrl'>, token: string, body: Record<string, unknown> = VALID_FILING, headers: Record<string, string> = {}) {
  return call(env, 'POST', '/v1/requests', { token, body, headers });
}

export async function act(env: Pick<TestEnv, 'apiUrl'>, token: string, requestId: string, action: string, body: Record<string, unknown> = {}, headers: Record<string, string> = {}) {
  return call(env, 'POST', `/v1/requests/${requestId}/${action}`, { token, body, headers });
}

/** Reads the request until `done` holds (timers fire on their own), or fails after `timeoutMs`. */
export async function waitForRequest(
  env: Pick<TestEnv, 'apiUrl'>,
  token: string,
  requestId: string,
  done: (request: any) => boolean, // any: the request JSON as the API returns it
  timeoutMs = 15_000,
): Promise<any> { // any: see above
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const read = await call(env, 'GET', `/v1/requests/${requestId}`, { token });
    if (read.status === 200 && done(read.body)) return read.body;
    if (Date.now() > deadline) throw new Error(`request ${requestId} did not reach the awaited state: ${JSON.stringify(read.body)}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
