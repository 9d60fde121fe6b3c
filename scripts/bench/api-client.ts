/** The benchmark's HTTP client: JSON calls to the API under test, failing loudly on an unexpected status. */
export interface ApiCaller {
  baseUrl: string;
  call<T>(method: 'GET' | 'POST', path: string, token: string, body?: unknown, expect?: number): Promise<T>;
}

export function apiCaller(baseUrl: string): ApiCaller {
  return {
    baseUrl,
    async call<T>(method: 'GET' | 'POST', path: string, token: string, body?: unknown, expect = 200): Promise<T> {
      const response = await fetch(baseUrl + path, {
        method,
        headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await response.text();
      if (response.status !== expect) throw new Error(`${method} ${path}: ${response.status} ${text.slice(0, 500)}`);
      return JSON.parse(text) as T;
    },
  };
}

export interface Fixture {
  clientId: string;
  /** A client user: files and confirms. */
  clientUser: { id: string; token: string };
  /** An operator: validates, starts and reports. */
  operator: { id: string; token: string };
}

/** One client with a client user, and one operator, made through the API as an administrator would. */
export async function createFixture(api: ApiCaller, adminToken: string): Promise<Fixture> {
  const tag = Math.random().toString(36).slice(2, 8);
  const client = await api.call<{ id: string }>('POST', '/v1/clients', adminToken, { code: `BENCH-${tag}`, name: `Bench client ${tag}` }, 201);
  const user = (role: string, clientId?: string) =>
    api.call<{ id: string; token: string }>('POST', '/v1/users', adminToken, { name: `bench ${role} ${tag}`, email: `${role}.${tag}@bench.test`, role, ...(clientId ? { clientId } : {}) }, 201);
  const clientUser = await user('client_authorizer', client.id);
  const operator = await user('operator_l1');
  return { clientId: client.id, clientUser, operator };
}
