/** Clients, users and the caller (api.md, "Bootstrap and identity"). */
import crypto from 'node:crypto';
import { DEFAULT_CONTRACT, type BillingMode } from '../../domain/billing';
import { formatAmount, isCurrencyCode, parseAmount } from '../../domain/money';
import { isClientRole, ROLES, type Role } from '../../domain/roles';
import { existingClientIds, findClient, findUser, insertClient, insertUser, revokeUser, type ClientRow, type UserRow } from '../../db/identity';
import { hashToken, newToken, BOOTSTRAP_ADMIN_ID, type Caller } from '../auth';
import type { ApiContext } from '../context';
import { problems } from '../problem';
import { defineRoute, type RouteSpec } from '../route';
import { object } from '../schema';

interface ClientBody {
  code: string;
  name: string;
  contract?: { includedInterventions?: number; billingMode?: BillingMode; unitPrice?: string | number; currency?: string };
}

interface UserBody {
  name: string;
  email: string;
  role: Role;
  clientId?: string;
  clientIds?: string[];
}

export function clientView(row: ClientRow) {
  return {
    id: row.id,
    code: row.code,
    name: row.name,
    contract: {
      includedInterventions: row.included_interventions,
      billingMode: row.billing_mode,
      unitPrice: formatAmount(Number(row.unit_price_minor), row.currency),
      currency: row.currency,
    },
    createdAt: row.created_at.toISOString(),
  };
}

function userView(row: Pick<UserRow, 'id' | 'name' | 'email' | 'role' | 'client_id' | 'client_ids'> & { revoked_at?: Date | null }) {
  return {
    id: row.id,
    name: row.name,
    email: row.email,
    role: row.role,
    clientId: row.client_id,
    ...(row.role === 'account_executive' ? { clientIds: row.client_ids } : {}),
    ...(row.revoked_at ? { revokedAt: row.revoked_at.toISOString() } : {}),
  };
}

function meView(caller: Caller) {
  return {
    id: caller.id,
    name: caller.name,
    email: caller.email ?? null,
    role: caller.role,
    clientId: caller.clientId ?? null,
    ...(caller.role === 'account_executive' ? { clientIds: caller.clientIds } : {}),
  };
}

export function identityRoutes({ db }: ApiContext): RouteSpec[] {
  return [
    defineRoute<ClientBody>({
      method: 'post',
      path: '/v1/clients',
      summary: 'Create a client company with its contract (D2)',
      roles: ['admin'],
      body: object({
        code: { type: 'string', required: true, maxLength: 64 },
        name: { type: 'string', required: true, maxLength: 200 },
        contract: object({
          includedInterventions: { type: 'integer', minimum: 0, maximum: 100000, description: 'default 5' },
          billingMode: { type: 'string', enum: ['excess', 'all'], description: 'default excess' },
          unitPrice: { type: 'decimal', description: 'price of one billed intervention, e.g. "150.00"' },
          currency: { type: 'string', maxLength: 3, description: 'ISO 4217 code, default USD' },
        }),
      }),
      success: { status: 201, description: 'the client', schema: 'Client' },
      errors: [400, 403, 409],
      async handler({ body }) {
        const contract = { ...body.contract };
        const currency = contract.currency ?? DEFAULT_CONTRACT.currency;
        if (!isCurrencyCode(currency)) throw problems.invalid([{ path: 'contract.currency', message: 'must be an ISO 4217 currency code' }]);
        let unitPriceMinor = DEFAULT_CONTRACT.unitPriceMinor;
        if (contract.unitPrice !== undefined) {
          try {
            unitPriceMinor = parseAmount(contract.unitPrice, currency);
          } catch (error) {
            throw problems.invalid([{ path: 'contract.unitPrice', message: error instanceof Error ? error.message : 'is not a valid amount' }]);
          }
        }
        const row = await insertClient(db, {
          id: crypto.randomUUID(),
          code: body.code.trim(),
          name: body.name.trim(),
          included_interventions: contract.includedInterventions ?? DEFAULT_CONTRACT.includedInterventions,
          billing_mode: contract.billingMode ?? DEFAULT_CONTRACT.billingMode,
          unit_price_minor: String(unitPriceMinor),
          currency,
        });
        if (!row) throw problems.conflict(`a client with code '${body.code.trim()}' already exists`);
        return clientView(row);
      },
    }),
    defineRoute({
      method: 'get',
      path: '/v1/clients/:id',
      summary: 'Read a client (admin, or a user of that client)',
      roles: [...ROLES],
      success: { status: 200, description: 'the client', schema: 'Client' },
      errors: [404],
      async handler({ params, caller }) {
        const row = await findClient(db, params.id);
        const visible = row && (caller.role === 'admin' || caller.role === 'sla_manager' || caller.clientId === row.id || caller.clientIds.includes(row.id));
        if (!row || !visible) throw problems.notFound('no such client');
        return clientView(row);
      },
    }),
    defineRoute<UserBody>({
      method: 'post',
      path: '/v1/users',
      summary: 'Create a user; the token is shown once',
      description: 'admin creates any user; a client_authorizer may create client_authorized users of its own client.',
      roles: ['admin', 'client_authorizer'],
      body: object({
        name: { type: 'string', required: true, maxLength: 200 },
        email: { type: 'string', required: true, format: 'email', maxLength: 320 },
        role: { type: 'string', required: true, enum: ROLES },
        clientId: { type: 'string', maxLength: 64, description: 'required for client roles' },
        clientIds: { type: 'array', items: { type: 'string', maxLength: 64 }, maxItems: 10000, description: 'the clients an account executive covers' },
      }),
      success: { status: 201, description: 'the user, with its token (shown only now)', schema: 'User' },
      errors: [400, 403],
      async handler({ body, caller }) {
        if (caller.role === 'client_authorizer') {
          if (body.role !== 'client_authorized') throw problems.forbidden('a client authorizer may create client_authorized users only');
          if (body.clientId !== undefined && body.clientId !== caller.clientId) throw problems.forbidden('a client authorizer may create users of its own client only');
          body.clientId = caller.clientId;
        }
        if (isClientRole(body.role)) {
          if (!body.clientId) throw problems.invalid([{ path: 'clientId', message: 'is required for client roles' }]);
          if (!(await findClient(db, body.clientId))) throw problems.invalid([{ path: 'clientId', message: 'is not a known client' }]);
        } else if (body.clientId !== undefined) {
          throw problems.invalid([{ path: 'clientId', message: 'is only for client roles' }]);
        }
        const clientIds = [...new Set(body.clientIds ?? [])];
        if (body.role !== 'account_executive' && clientIds.length > 0) throw problems.invalid([{ path: 'clientIds', message: 'is only for account executives' }]);
        const known = await existingClientIds(db, clientIds);
        const unknown = clientIds.filter((id) => !known.includes(id));
        if (unknown.length > 0) throw problems.invalid(unknown.map((id) => ({ path: 'clientIds', message: `'${id}' is not a known client` })));

        const token = newToken();
        const row = await insertUser(db, {
          id: crypto.randomUUID(),
          name: body.name.trim(),
          email: body.email.trim(),
          role: body.role,
          client_id: isClientRole(body.role) ? body.clientId! : null,
          client_ids: clientIds,
          token_hash: hashToken(token),
          created_by: caller.id,
        });
        return { ...userView(row), token };
      },
    }),
    defineRoute({
      method: 'delete',
      path: '/v1/users/:id',
      summary: 'Revoke a user: its token stops working at once',
      description: 'admin revokes anyone; a client_authorizer may revoke the client_authorized users of its own client.',
      roles: ['admin', 'client_authorizer'],
      success: { status: 200, description: 'the revoked user', schema: 'User' },
      errors: [403, 404],
      async handler({ params, caller }) {
        if (params.id === BOOTSTRAP_ADMIN_ID) throw problems.forbidden('the bootstrap admin token is revoked by changing RHS_ADMIN_TOKEN');
        const user = await findUser(db, params.id);
        const mayRevoke = user && (caller.role === 'admin' || (user.role === 'client_authorized' && user.client_id === caller.clientId));
        if (!user || !mayRevoke) throw problems.notFound('no such user');
        return userView((await revokeUser(db, user.id))!);
      },
    }),
    defineRoute({
      method: 'get',
      path: '/v1/me',
      summary: 'The caller',
      roles: [...ROLES],
      success: { status: 200, description: 'the caller', schema: 'Me' },
      errors: [],
      async handler({ caller }) {
        return meView(caller);
      },
    }),
  ];
}
