/** Clients and users made through the public API, the way an administrator would. */
import crypto from 'node:crypto';
import { callApi } from './api-client';

export interface Party {
  id: string;
  token: string;
}

export interface ClientParty {
  clientId: string;
  code: string;
  name: string;
  authorizer: Party;
  authorized: Party;
}

export interface Staff {
  operator: Party;
  slaManager: Party;
  admin: Party;
}

const unique = () => crypto.randomBytes(4).toString('hex');

async function mustCreate(apiUrl: string, token: string, path: string, body: unknown): Promise<any> { // any: the created resource's JSON
  const answer = await callApi(apiUrl, { method: 'POST', path, token, body });
  if (answer.status !== 201) throw new Error(`POST ${path}: ${answer.status} ${JSON.stringify(answer.body)}`);
  return answer.body;
}

export async function createUser(apiUrl: string, token: string, user: { role: string; clientId?: string; clientIds?: string[] }): Promise<Party> {
  const created = await mustCreate(apiUrl, token, '/v1/users', { name: `${user.role} ${unique()}`, email: `${unique()}@faults.example`, ...user });
  return { id: created.id, token: created.token };
}

export async function createClientParty(apiUrl: string, adminToken: string, contract?: Record<string, unknown>): Promise<ClientParty> {
  const code = `F-${unique()}`;
  const name = `Faults client ${code}`;
  const client = await mustCreate(apiUrl, adminToken, '/v1/clients', { code, name, ...(contract ? { contract } : {}) });
  const authorizer = await createUser(apiUrl, adminToken, { role: 'client_authorizer', clientId: client.id });
  const authorized = await createUser(apiUrl, authorizer.token, { role: 'client_authorized' });
  return { clientId: client.id, code, name, authorizer, authorized };
}

export async function createStaff(apiUrl: string, adminToken: string): Promise<Staff> {
  return {
    operator: await createUser(apiUrl, adminToken, { role: 'operator_l1' }),
    slaManager: await createUser(apiUrl, adminToken, { role: 'sla_manager' }),
    admin: { id: 'admin', token: adminToken },
  };
}
