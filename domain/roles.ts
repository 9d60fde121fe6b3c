/** The roles of PRO-2132 as the API names them (../shared/api.md, "Bootstrap and identity"). */
export const ROLES = [
  'client_authorizer',
  'client_authorized',
  'operator_l1',
  'sla_manager',
  'account_executive',
  'admin',
] as const;
export type Role = (typeof ROLES)[number];

/** Roles that belong to one client company and may file requests (R1). */
export const CLIENT_ROLES: readonly Role[] = ['client_authorizer', 'client_authorized'];

export function isClientRole(role: Role): boolean {
  return CLIENT_ROLES.includes(role);
}

/** Who did something: recorded on every audit event. `system` is the workflow itself (timers, policies). */
export interface Actor {
  id: string;
  role: Role | 'system';
  /** Set for client roles: the client the user belongs to. */
  clientId?: string;
}

export const SYSTEM_ACTOR: Actor = { id: 'system', role: 'system' };
